"""crawler.urls: the one spelling of a page's URL."""

from __future__ import annotations

import pytest

from crawler.urls import absolute, canonical_url, domain_of, host_allowed, request_url, url_pattern


@pytest.mark.parametrize(("url", "expected"), [
    ("http://acme.example/pricing/", "http://acme.example/pricing"),
    ("http://acme.example/pricing", "http://acme.example/pricing"),
    ("http://acme.example", "http://acme.example/"),
    ("HTTP://Acme.Example:80/a#top", "http://acme.example/a"),
    ("https://acme.example:443/a", "https://acme.example/a"),
    ("http://127.0.0.1:8080/a/", "http://127.0.0.1:8080/a"),
    ("http://acme.example/p?utm_source=x&utm_medium=y&gclid=1&fbclid=2&mc_cid=3&mc_eid=4&_ga=5&ref=nav",
     "http://acme.example/p"),
    ("http://acme.example/search?q=sync&page=2&utm_campaign=z", "http://acme.example/search?page=2&q=sync"),
    ("http://acme.example/caf%c3%a9", "http://acme.example/caf%C3%A9"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_absolute_keeps_only_web_links() -> None:
    base = "http://acme.example/docs/start.html"
    assert absolute("install.html", base) == "http://acme.example/docs/install.html"
    assert absolute("/", base) == "http://acme.example/"
    for href in ("mailto:a@b.example", "tel:+1", "javascript:void(0)", "#top", "", "data:text/html,x"):
        assert absolute(href, base) is None, href


def test_hosts_are_allowed_by_name_without_port() -> None:
    domains = [domain_of("127.0.0.1:8000"), domain_of("https://Acme.example/"), domain_of("help.example")]
    assert domains == ["127.0.0.1", "acme.example", "help.example"]
    assert host_allowed("http://127.0.0.1:41234/x", domains)
    assert host_allowed("https://www.acme.example/", domains)
    assert not host_allowed("https://notacme.example/", domains)


@pytest.mark.parametrize(("published", "fetched"), [
    ("https://Acme.example:443/docs/", "https://acme.example/docs/"),
    ("https://acme.example/docs", "https://acme.example/docs"),
    ("https://acme.example/a/?b=2&a=1#top", "https://acme.example/a/?b=2&a=1"),
    ("https://acme.example/p/?utm_source=x&id=3", "https://acme.example/p/?id=3"),
    ("https://acme.example/caf%C3%A9 menu/", "https://acme.example/caf%C3%A9%20menu/"),
])
def test_a_url_is_fetched_as_published(published: str, fetched: str) -> None:
    assert request_url(published) == fetched
    assert canonical_url(published) == canonical_url(fetched)  # the same page either way


def test_a_url_pattern_is_its_path_and_query_names() -> None:
    assert url_pattern("https://a.example/events?month=2027-01") == url_pattern("https://a.example/events?month=9")
    assert url_pattern("https://a.example/list?color=red&size=m") == url_pattern("https://a.example/list?size=l&color=b")
    assert url_pattern("https://a.example/articles/123") != url_pattern("https://a.example/articles/124")


def test_session_ids_do_not_make_a_page_new() -> None:
    assert canonical_url("https://a.example/p?id=3&PHPSESSID=ab12") == canonical_url("https://a.example/p?id=3")
    assert canonical_url("https://a.example/p?sid=77") == canonical_url("https://a.example/p")

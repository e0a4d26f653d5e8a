import pytest

from audit.facts import value_type

url = value_type("url")


@pytest.mark.parametrize(
    "text, written, value",
    [
        ("See https://acme.com/pricing.", "https://acme.com/pricing", "https://acme.com/pricing"),
        ("(https://acme.com/docs)", "https://acme.com/docs", "https://acme.com/docs"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)",
         "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("visit www.acme.com/help, or", "www.acme.com/help", "https://www.acme.com/help"),
        ("HTTPS://ACME.COM/Pricing/", "HTTPS://ACME.COM/Pricing/", "https://acme.com/Pricing"),
        ("https://acme.com:443/", "https://acme.com:443/", "https://acme.com/"),
        ("http://acme.com", "http://acme.com", "http://acme.com/"),
        ("https://acme.com/p?b=2&a=1&utm_source=mail&fbclid=x#top", "https://acme.com/p?b=2&a=1&utm_source=mail&fbclid=x#top",
         "https://acme.com/p?a=1&b=2"),
    ],
)
def test_finds_canonical_url(text, written, value):
    assert [(v.text, v.value) for v in url.find(text)] == [(written, value)]


@pytest.mark.parametrize(
    "text",
    ["version 2.0", "acme.com/pricing", "https://acme.com/u/…/settings", "https://acme.com/…", "https://",
     "write to a@www.acme.com"],
)
def test_finds_no_url(text):
    assert url.find(text) == []


def test_tracking_slash_and_case_variants_are_one_url():
    spellings = [
        "https://acme.com/pricing",
        "https://Acme.com/pricing/",
        "https://acme.com/pricing?utm_source=newsletter&utm_campaign=x",
        "https://acme.com/pricing#plans",
        "acme.com/pricing",
    ]
    assert {url.parse(s).value for s in spellings} == {"https://acme.com/pricing"}


def test_query_parameters_that_change_the_page_are_kept():
    assert url.parse("https://acme.com/p?plan=pro").value != url.parse("https://acme.com/p?plan=team").value


def test_parse_rejects_text():
    assert url.parse("hello world") is None
    assert url.parse("see https://acme.com") is None

"""The website spider against the Acme CloudSync fixture site, served over real HTTP.

One crawl of the whole site (a subprocess, see tests/crawl_helpers.py) is shared by most tests;
small crawls of their own check the limits (max_pages, max_depth, include/exclude, robots).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from audit.documents import Failure
from tests.crawl_helpers import CrawlResult, crawl
from tests.server import SITES, FixtureServer

ACME = SITES / "acme"

# Every page reachable from / (by link, redirect, rel=canonical or sitemap) except the robots.txt
# disallowed one; about.html and company/about.html are the same page (one of them is stored).
PAGES = {
    "/", "/pricing", "/features.html", "/contact.html", "/blog", "/blog/2026/offline-sync.html",
    "/blog/2026/lisbon-office.html", "/blog/2026/faster-uploads.html", "/docs/getting-started.html",
    "/docs/install.html", "/docs/changelog.html", "/landing/spring-offer.html", "/cafe.html",
    "/legacy.html", "/broken.html",
    "/odd/deep.html", "/odd/stray-end.html", "/odd/nul.html", "/odd/utf8-latin1-header.html",
    "/docs/fixing-404-errors.html",  # a page about 404 errors is content, not a soft 404
    "/landing/partners.html",  # listed only in a sitemap that only a page links to
    "/app.html",  # an app shell: stored, and named as needing JavaScript
}
SAME_CONTENT = {"/about.html", "/company/about.html"}

FAILURES = [  # (url path, reason, HTTP status)
    ("/status/404", "http_4xx", 404),
    ("/status/500", "http_5xx", 500),
    ("/redirect-loop/0", "redirect_loop", None),
    ("/redirect-back/a", "redirect_loop", None),  # back to a URL of its own chain: no longer lost
    ("/gone.html", "soft_404", 200),  # a 200 page that says "we couldn't find that page"
    ("/big/500000", "too_large", None),
    ("/gzip-bomb/5000000", "too_large", None),  # 5 MB inflated from a few KB: cut, not a connection error
    ("/delay/5/about.html", "timeout", None),
    ("/binary-as-html", "decode_error", 200),
    ("/files/security-whitepaper.pdf", "not_html", 200),
    ("/private/roadmap.html", "robots", None),
]


@pytest.fixture(scope="module")
def acme() -> Iterator[FixtureServer]:
    """The Acme site as a server root of its own, so /robots.txt and /sitemap.xml are its own."""
    with FixtureServer(ACME) as srv:
        # legacy.html is windows-1252 bytes; the server claims UTF-8, as misconfigured servers do.
        srv.content_types["legacy.html"] = "text/html; charset=utf-8"
        # UTF-8 bytes (and <meta charset="utf-8">) behind a header that claims Latin-1.
        srv.content_types["utf8-latin1-header.html"] = "text/html; charset=iso-8859-1"
        yield srv


def site_config(base: str, **touchpoint: object) -> str:
    tp = {"name": "acme", "kind": "website", "start_urls": [f"{base}/"],
          "allowed_domains": ["127.0.0.1", "nonexistent.invalid"], **touchpoint}
    lines = "\n".join(f"    {k}: {json.dumps(v)}" for k, v in tp.items() if k != "name")
    return f"""
crawl:
  timeout: 1
  retries: 0
  max_size: 100KB
touchpoints:
  - name: {tp["name"]}
{lines}
"""


@pytest.fixture(scope="module")
def site_run(acme: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, list[str]]:
    """The whole-site crawl, and the paths the server was asked for during it."""
    first = len(acme.requests)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCRAPY_SETTINGS_MODULE", "tests.crawler.progress_settings")
        result = crawl(tmp_path_factory.mktemp("acme"), site_config(acme.base))
    assert result.returncode == 0, result.stderr[-3000:]
    return result, [path for method, path, _ in acme.requests[first:] if method == "GET"]


@pytest.fixture(scope="module")
def site(site_run: tuple[CrawlResult, list[str]]) -> CrawlResult:
    return site_run[0]


@pytest.fixture(scope="module")
def fetched(site_run: tuple[CrawlResult, list[str]]) -> list[str]:
    return site_run[1]


def paths(result: CrawlResult, base: str) -> list[str]:
    return [d.url.removeprefix(base) or "/" for d in result.documents]


def failure(result: CrawlResult, url: str) -> Failure:
    found = [f for f in result.failures if f.url == url]
    assert len(found) == 1, f"{url}: {found}; all: {[(f.url, f.reason) for f in result.failures]}"
    return found[0]


# -- the whole site ------------------------------------------------------------------------------
def test_crawl_is_complete(site: CrawlResult) -> None:
    assert site.state == "complete"


def test_progress_is_printed_per_touchpoint(site: CrawlResult) -> None:
    assert "done acme: " in site.stderr
    assert f"{len(site.documents)} stored" in site.stderr


def test_every_reachable_page_is_stored_exactly_once(site: CrawlResult, acme: FixtureServer) -> None:
    found = paths(site, acme.base)
    assert len(found) == len(set(found)), Counter(found).most_common(3)
    assert set(found) - SAME_CONTENT == PAGES
    assert len(set(found) & SAME_CONTENT) == 1


def test_stored_urls_are_canonical(site: CrawlResult, acme: FixtureServer) -> None:
    for url in site.urls:
        assert "?" not in url and "#" not in url, url
        assert url == f"{acme.base}/" or not url.endswith("/"), url


def test_tracking_parameters_are_dropped_before_fetching(fetched: list[str]) -> None:
    assert not [p for p in fetched if "utm_" in p or "gclid" in p or "ref=" in p]
    # Linked as /pricing/, /pricing, /pricing/?utm_…: asked for once, as the site first wrote it.
    assert len([p for p in fetched if p.rstrip("/") == "/pricing"]) == 1


def test_trailing_slash_and_canonical_are_one_page(site: CrawlResult, acme: FixtureServer) -> None:
    found = paths(site, acme.base)
    assert found.count("/pricing") == 1  # linked as /pricing, /pricing/, /pricing/?utm_…, canonical /pricing/
    assert found.count("/blog") == 1
    assert "/features-print.html" not in found  # rel=canonical -> /features.html
    assert site.doc("/features.html").title == "Features — Acme CloudSync"


def test_a_redirect_is_stored_under_its_target(site: CrawlResult, acme: FixtureServer) -> None:
    assert not [u for u in site.urls if "redirect" in u]
    assert not [f for f in site.failures if "/redirect?" in f.url]


def test_identical_content_under_two_urls_is_stored_once(site: CrawlResult, acme: FixtureServer) -> None:
    found = set(paths(site, acme.base)) & SAME_CONTENT
    assert len(found) == 1
    hashes = Counter(d.content_hash for d in site.documents)
    assert max(hashes.values()) == 1


def test_pages_only_in_sitemaps_are_found(site: CrawlResult) -> None:
    site.doc("/landing/spring-offer.html")  # /sitemap.xml
    site.doc("/docs/changelog.html")  # robots.txt Sitemap: -> sitemap index -> docs.xml


def test_robots_disallowed_page_is_a_failure_not_a_document(
    site: CrawlResult, acme: FixtureServer, fetched: list[str]
) -> None:
    assert not [u for u in site.urls if "/private/" in u]
    assert failure(site, f"{acme.base}/private/roadmap.html").reason == "robots"
    assert not [p for p in fetched if p.startswith("/private/")]


@pytest.mark.parametrize(("path", "reason", "status"), FAILURES, ids=[f[1] for f in FAILURES])
def test_each_failure_is_stored_with_its_reason(
    site: CrawlResult, acme: FixtureServer, path: str, reason: str, status: int | None
) -> None:
    f = failure(site, acme.base + path)
    assert (f.reason, f.status) == (reason, status)
    assert f.detail
    assert not [u for u in site.urls if u.endswith(path)]


def test_unresolvable_host_is_a_dns_failure(site: CrawlResult) -> None:
    assert failure(site, "http://nonexistent.invalid/").reason == "dns"


def test_refused_connection_is_a_connection_failure(site: CrawlResult) -> None:
    assert failure(site, "http://127.0.0.1:1/closed").reason == "connection"


def test_every_failed_url_is_stored_once_and_nothing_out_of_scope(site: CrawlResult) -> None:
    urls = [f.url for f in site.failures]
    assert len(urls) == len(set(urls))
    assert len(urls) == len(FAILURES) + 2
    assert not [u for u in urls if "social.example.com" in u or u.startswith(("mailto", "tel", "javascript"))]


def test_non_html_download_is_stopped_at_its_headers(site: CrawlResult) -> None:
    f = next(f for f in site.failures if f.url.endswith(".pdf"))
    assert "application/pdf" in f.detail


def test_windows_1252_page_with_meta_charset_decodes(site: CrawlResult) -> None:
    doc = site.doc("/cafe.html")
    body = doc.region("body").text
    assert doc.title == "Café Brisa runs on CloudSync"
    assert "“We used to fax recipes between our five cafés,” says owner Inês Duarte." in body
    assert "8 € per user… that’s all." in body
    assert "\ufffd" not in body


def test_page_declared_utf8_but_written_in_windows_1252_is_readable(site: CrawlResult) -> None:
    body = site.doc("/legacy.html").region("body").text
    assert "“Sync your résumé, your naïve drafts and your café receipts.”" in body
    assert "\ufffd" not in body


def test_odd_pages_are_read_as_a_browser_reads_them(site: CrawlResult) -> None:
    deep = site.doc("/odd/deep.html").region("body").text
    assert "Text ten thousand levels deep." in deep and "Text after the nesting." in deep
    stray = site.doc("/odd/stray-end.html").region("body").text
    assert stray.split("\n") == ["Text before the end.", "Text after a stray end tag.",
                                 "Text in a second body."]
    log = site.doc("/odd/nul.html").region("body").text
    assert "Sync log line with a NUL byte." in log
    resume = site.doc("/odd/utf8-latin1-header.html").region("body").text
    assert "Sync your résumé and café receipts." in resume
    assert not [f for f in site.failures if "/odd/" in f.url]


def test_malformed_html_still_extracts(site: CrawlResult) -> None:
    doc = site.doc("/broken.html")
    assert doc.title == "Release notes archive — Acme CloudSync"
    body = doc.region("body").text
    assert "Version 2.0 added shared folders." in body
    assert "Version 1.0: the first release\nVersion 0.9: the beta" in body
    site.doc("/docs/install.html")


def test_document_fields(site: CrawlResult, acme: FixtureServer) -> None:
    doc = site.doc("/contact.html")
    assert (doc.touchpoint, doc.kind, doc.status) == ("acme", "website", 200)
    assert doc.url == f"{acme.base}/contact.html"
    assert doc.title == "Contact — Acme CloudSync"
    assert datetime.fromisoformat(doc.fetched_at or "").utcoffset().total_seconds() == 0
    assert doc.etag and doc.etag.startswith('"')
    assert doc.last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert len(doc.content_hash) == 32


def test_regions_of_the_home_page(site: CrawlResult, acme: FixtureServer) -> None:
    doc = site.doc(f"{acme.base}/")
    r = {region.name: region.text for region in doc.regions}
    assert r["title"] == "Acme CloudSync — Your files, on every device"
    assert r["meta"].startswith("Acme CloudSync keeps your team's files in sync")
    assert r["heading"].split("\n")[:2] == ["Your files, on every device", "Why teams switch"]
    assert "Start free for 14 days; no credit card required." in r["body"]
    assert "Version history for 30 days on every plan." in r["body"]
    assert r["nav"] == "Features\nPricing\nBlog\nDocs"
    assert "© 2026 Acme CloudSync, Inc." in r["footer"]
    assert r["alt"] == "Acme CloudSync logo"
    everything = "\n".join(r.values())
    assert "should never be text" not in everything and "#123456" not in everything
    assert "Pricing" not in r["body"].split("\n")  # nav is not in the body


def test_jsonld_region_holds_parsed_objects(site: CrawlResult) -> None:
    jsonld = site.doc("/features.html").region("jsonld")
    assert jsonld is not None
    assert jsonld.data[0]["@type"] == "SoftwareApplication"
    assert jsonld.data[0]["offers"]["price"] == "8.00"


# -- small crawls of their own -------------------------------------------------------------------
def small(tmp_path: Path, acme: FixtureServer, start: str, **touchpoint: object) -> CrawlResult:
    config = site_config(acme.base, start_urls=[acme.base + start], sitemap=False, **touchpoint)
    result = crawl(tmp_path, config)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_max_pages_stops_the_crawl_and_it_is_still_complete(tmp_path: Path, acme: FixtureServer) -> None:
    result = small(tmp_path, acme, "/blog/", max_pages=2)
    assert len(result.documents) == 2
    assert result.state == "complete"


def test_max_depth_limits_how_far_links_are_followed(tmp_path: Path, acme: FixtureServer) -> None:
    result = small(tmp_path, acme, "/blog/2026/lisbon-office.html", max_depth=1)
    found = set(paths(result, acme.base))
    assert {"/blog/2026/lisbon-office.html", "/blog", "/features.html", "/pricing"} <= found
    assert "/blog/2026/offline-sync.html" not in found  # two links away
    assert result.state == "complete"


def test_include_and_exclude_patterns_scope_the_links(tmp_path: Path, acme: FixtureServer) -> None:
    result = small(tmp_path, acme, "/docs/getting-started.html", include=["/docs/", "/blog"],
                   exclude=["lisbon"])
    assert set(paths(result, acme.base)) == {
        "/docs/getting-started.html", "/docs/install.html", "/blog",
        "/blog/2026/offline-sync.html", "/blog/2026/faster-uploads.html",
    }


def test_robots_false_fetches_a_disallowed_page(tmp_path: Path, acme: FixtureServer) -> None:
    result = small(tmp_path, acme, "/private/roadmap.html", robots=False, max_depth=0)
    assert paths(result, acme.base) == ["/private/roadmap.html"]
    assert result.failures == []


def test_a_touchpoint_that_collects_nothing_fails_the_crawl_with_its_reasons(tmp_path: Path) -> None:
    result = crawl(tmp_path, """
        touchpoints:
          - {name: gone, kind: website, start_urls: ["http://127.0.0.1:9/"], sitemap: false, robots: false}
        crawl: {timeout: 5, retries: 0}
        """)
    assert result.returncode == 3  # the README's cron and systemd recipes alert on it
    assert "touchaudit: touchpoint 'gone' collected no documents (connection ×1): the crawl is incomplete" \
        in result.stderr
    assert [f.reason for f in result.failures] == ["connection"]


def test_urls_are_fetched_as_published_with_their_trailing_slash(tmp_path: Path) -> None:
    """/docs/ and /docs are different resources: a start URL and links ending in / are fetched as
    written, and relative links resolve against the folder they were written in."""
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.html").write_text(
        '<html><body><h1>Docs</h1><p>Start here.</p><a href="guide.html">Guide</a> '
        '<a href="../about.html">About</a> <a href="/docs/">Docs again</a></body></html>')
    (root / "docs" / "guide.html").write_text("<html><body><p>The guide.</p></body></html>")
    (root / "about.html").write_text("<html><body><p>About us.</p></body></html>")
    with FixtureServer(root) as srv:
        srv.strict_slash = True
        result = crawl(tmp_path, site_config(srv.base, start_urls=[f"{srv.base}/docs/"], sitemap=False,
                                             robots=False))
        asked = [path for method, path, _ in srv.requests if method == "GET"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.failures == [], result.failures
    assert sorted(paths(result, srv.base)) == ["/about.html", "/docs", "/docs/guide.html"]
    assert asked.count("/docs/") == 1 and "/docs" not in asked


def test_no_url_the_crawl_accepted_is_left_pending(site: CrawlResult) -> None:
    """Every URL asked for ended as a document or a failure (a redirect back into its own chain
    used to stay pending in a crawl called complete)."""
    from audit.store import Store

    with Store(site.store_path) as store:
        pending = [r[0] for r in store.db.execute(
            "SELECT url FROM frontier WHERE crawl_id=? AND state='pending'", (site.crawl_id,))]
    assert site.state == "complete" and pending == []


def test_a_calendar_trap_is_bounded_by_its_pattern_not_by_max_pages(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text('<html><body><p>Home.</p><a href="/calendar?month=1">Events</a> '
                                     '<a href="/about.html">About</a></body></html>')
    (root / "about.html").write_text("<html><body><p>About us.</p></body></html>")
    with FixtureServer(root) as srv:
        result = crawl(tmp_path, site_config(srv.base, sitemap=False, robots=False, max_depth=1000,
                                             max_pages=500, max_per_pattern=20))
    assert result.returncode == 0, result.stderr[-3000:]
    months = [u for u in result.urls if "/calendar" in u]
    assert len(months) == 20 and result.state == "complete"
    assert {"/", "/about.html"} <= set(paths(result, srv.base))


def test_a_page_built_by_javascript_is_named_in_the_crawl_summary(site: CrawlResult) -> None:
    assert "needs_scripts" in site.doc("/app.html").extra
    flagged = [d.url for d in site.documents if "needs_scripts" in d.extra]
    assert len(flagged) == 1 and flagged[0].endswith("/app.html")
    assert "1 page looks empty without JavaScript (e.g. " in site.stderr and "/app.html)" in site.stderr


def test_a_sitemap_index_of_large_sitemaps_is_read_as_the_crawl_needs_it(tmp_path: Path) -> None:
    """50 sitemaps of 1,000 URLs, max_pages 30: one sitemap is fetched, 60 URLs at most are
    accepted, and the crawl ends complete at once instead of queueing 50,000 requests."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body><p>Home.</p></body></html>")
    (root / "robots.txt").write_text("User-agent: *\n"
                                     "Sitemap: __BASE__/gen/sitemap-index.xml?n=50&size=1000\n")
    with FixtureServer(root) as srv:
        result = crawl(tmp_path, site_config(srv.base, max_pages=30))
        asked = [path for method, path, _ in srv.requests if method == "GET"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.state == "complete" and len(result.documents) == 30
    assert len([p for p in asked if p.startswith("/gen/sitemap/")]) == 1
    assert len([p for p in asked if p.startswith("/gen/page/")]) <= 60


def test_a_page_whose_json_ld_holds_a_lone_surrogate_is_stored_and_so_is_the_rest(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f'<a href="/p{n}.html">Page {n}</a> ' for n in range(60))
    (root / "index.html").write_text(
        '<html><head><script type="application/ld+json">{"@type": "Organization", "name": "Acme \\ud83d"}'
        f"</script></head><body><main><p>Welcome to Acme.</p>{links}</main></body></html>")
    for n in range(60):
        (root / f"p{n}.html").write_text(f"<html><body><main><p>Page {n} of Acme.</p></main></body></html>")
    with FixtureServer(root) as srv:
        result = crawl(tmp_path, f"""
            touchpoints:
              - {{name: site, kind: website, start_urls: ["{srv.base}/"], sitemap: false, robots: false}}
            """)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.state == "complete" and len(result.documents) == 61 and not result.failures
    assert result.doc("/").region("jsonld").data[0]["name"] == "Acme \ufffd"

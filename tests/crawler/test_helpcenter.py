"""The help-center spider against a real HTTP server serving Zendesk-shaped API pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.spiders.helpcenter import articles_url, next_page
from tests.crawl_helpers import crawl
from tests.server import FixtureServer

OFFSET_IDS = {360001001, 360001002, 360001004, 360001005, 360001006}
CURSOR_IDS = {480002001, 480002002, 480002003, 480002005}


def zendesk_config(server: FixtureServer, center: str, pagination: str, per_page: int = 3,
                   locale: str = "en-us") -> str:
    return f"""
        touchpoints:
          - name: help
            kind: helpcenter
            zendesk:
              base_url: {server.base}/zendesk/{center}
              locale: {locale}
              per_page: {per_page}
              pagination: {pagination}
    """


def api_queries(server: FixtureServer, center: str, since: int) -> list[dict[str, list[str]]]:
    """The query strings of the API requests made to one help center after request ``since``."""
    prefix = f"/zendesk/{center}/api/v2/help_center/"
    return [parse_qs(urlsplit(path).query) for _, path, _ in server.requests[since:]
            if path.startswith(prefix)]


def test_offset_pagination_stores_every_published_article_once(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "offset", "offset"))
    assert result.returncode == 0, result.stderr
    assert result.state == "complete"
    assert {d.extra["id"] for d in result.documents} == OFFSET_IDS
    assert len(result.documents) == len(OFFSET_IDS)  # article 360001002 is on pages 1 and 2
    assert result.failures == []


def test_offset_pagination_asks_for_per_page_and_follows_next_page(server: FixtureServer, tmp_path: Path):
    since = len(server.requests)
    crawl(tmp_path, zendesk_config(server, "offset", "offset", per_page=3))
    queries = api_queries(server, "offset", since)
    assert {"per_page": ["3"], "sort_by": ["created_at"], "sort_order": ["asc"]} in queries
    assert [q["page"][0] for q in queries if "page" in q] == ["2", "3"]
    assert len(queries) == 3


def test_cursor_pagination_follows_links_next_until_has_more_is_false(server: FixtureServer,
                                                                      tmp_path: Path):
    since = len(server.requests)
    result = crawl(tmp_path, zendesk_config(server, "cursor", "cursor", per_page=2))
    assert result.returncode == 0, result.stderr
    assert result.state == "complete"
    assert sorted(d.extra["id"] for d in result.documents) == sorted(CURSOR_IDS)
    queries = api_queries(server, "cursor", since)
    assert {"page[size]": ["2"]} in queries
    assert [q["page[after]"][0] for q in queries if "page[after]" in q] == ["eyJvIjoiMiJ9", "eyJvIjoiNCJ9"]


def test_drafts_are_not_stored(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "cursor", "cursor", per_page=2))
    assert 480002004 not in {d.extra["id"] for d in result.documents}
    assert not any("offline folders" in d.title.lower() for d in result.documents)


def test_an_article_is_stored_under_its_html_url_with_updated_at(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "offset", "offset"))
    doc = result.doc("/articles/360001004-plans-and-prices")
    assert doc.url == f"{server.base}/zendesk/offset/hc/en-us/articles/360001004-plans-and-prices"
    assert doc.kind == "helpcenter"
    assert doc.title == "Plans and prices"
    assert doc.extra == {"updated_at": "2026-04-18T16:45:00Z", "id": 360001004, "section_id": 3600200,
                         "locale": "en-us", "published": "2026-01-12", "updated": "2026-04-18"}
    assert (doc.published, doc.updated, doc.date) == ("2026-01-12", "2026-04-18", "2026-01-12")


def test_article_body_html_becomes_title_heading_body_and_alt_regions(server: FixtureServer,
                                                                      tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "offset", "offset"))
    doc = result.doc("/articles/360001001-install-the-acme-cloudsync-desktop-app")
    regions = {r.name: r.text for r in doc.regions}
    assert regions["title"] == "Install the Acme CloudSync desktop app"
    assert regions["heading"] == "Install on Windows\nInstall on macOS"
    assert "Open AcmeCloudSyncSetup.exe and follow the steps." in regions["body"].split("\n")
    assert regions["alt"] == "The Acme CloudSync installer on Windows"
    reset = result.doc("/articles/360001005-reset-your-password")
    assert reset.region("body").text.endswith("Still stuck? Contact support.")  # bare trailing text


def test_invalid_json_is_a_parse_error_and_earlier_pages_are_kept(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "broken", "offset", per_page=1))
    assert result.state == "complete"
    assert [d.extra["id"] for d in result.documents] == [590003001]
    [failure] = result.failures
    assert failure.reason == "parse_error"
    assert "page=2" in failure.url
    assert "invalid JSON" in failure.detail


def test_an_api_http_error_is_a_failure_with_its_status_reason(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, zendesk_config(server, "offset", "offset", locale="fr"))
    assert result.documents == []
    [failure] = result.failures
    assert failure.reason == "http_4xx"
    assert "/api/v2/help_center/fr/articles.json" in failure.url


def test_articles_url_uses_the_configured_pagination_style():
    base = {"base_url": "https://help.acme.example/", "locale": "en-US", "per_page": 500}
    assert articles_url({**base, "pagination": "cursor"}) == (
        "https://help.acme.example/api/v2/help_center/en-us/articles.json?page[size]=100")
    assert articles_url({**base, "pagination": "offset", "per_page": 30}) == (
        "https://help.acme.example/api/v2/help_center/en-us/articles.json"
        "?per_page=30&sort_by=created_at&sort_order=asc")


def test_next_page_stops_on_the_last_page_of_either_style():
    assert next_page({"next_page": "u2", "page": 1, "page_count": 2}) == "u2"
    assert next_page({"next_page": "u3", "page": 2, "page_count": 2}) is None
    assert next_page({"next_page": None}) is None
    assert next_page({"meta": {"has_more": True}, "links": {"next": "c2"}}) == "c2"
    assert next_page({"meta": {"has_more": False}, "links": {"next": "c2"}}) is None


def test_an_html_help_center_is_crawled_like_a_website(server: FixtureServer, tmp_path: Path):
    result = crawl(tmp_path, f"""
        touchpoints:
          - name: help
            kind: helpcenter
            start_urls: ["{server.base}/zendesk/html/hc/en-us"]
            include: ["/zendesk/html/"]
            sitemap: false
    """)
    assert result.returncode == 0, result.stderr
    assert result.state == "complete"
    assert {d.kind for d in result.documents} == {"helpcenter"}
    assert [u.removeprefix(server.base) for u in result.urls] == [
        "/zendesk/html/hc/en-us",
        "/zendesk/html/hc/en-us/articles/700001-Install-the-desktop-app",
        "/zendesk/html/hc/en-us/articles/700002-Choose-a-plan",
    ]
    plan = result.doc("/articles/700002-Choose-a-plan")
    assert "The Personal plan costs $9 per month and includes 2 TB." in plan.region("body").text

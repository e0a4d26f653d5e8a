"""The help-center spider: a Zendesk Help Center through its API, or an HTML help center.

With ``zendesk:`` in the touchpoint it reads ``{base_url}/api/v2/help_center/{locale}/articles.json``
page by page and stores each published article under its ``html_url``: the API gives every
article exactly once with its ``updated_at``, where crawling the HTML would meet each article
under category, section and search pages. Without it, it crawls like the website spider.

Both of Zendesk's pagination styles are followed, whichever a response uses:

- offset: ``next_page`` (an absolute URL, ``null`` on the last page), ``page``, ``page_count``;
- cursor: ``meta.has_more`` and ``links.next``, asked for with ``page[size]``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from audit.documents import Document, Failure, Region
from audit.text import clean
from crawler.extract import extract
from crawler.failures import status_reason
from crawler.spiders.website import WebsiteSpider

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 100  # Zendesk's limit for per_page and page[size]


def articles_url(zendesk: dict[str, Any]) -> str:
    """The first page of a help center's articles, in the configured pagination style.

    Offset pages are sorted by creation time, so an article published during the crawl is
    appended to the last page instead of shifting every later page by one.
    """
    base = str(zendesk["base_url"]).rstrip("/")
    locale = str(zendesk.get("locale") or "en-us").lower()
    size = max(1, min(int(zendesk.get("per_page") or MAX_PER_PAGE), MAX_PER_PAGE))
    if zendesk.get("pagination", "cursor") == "offset":
        query = f"per_page={size}&sort_by=created_at&sort_order=asc"
    else:
        query = f"page[size]={size}"
    return f"{base}/api/v2/help_center/{locale}/articles.json?{query}"


def next_page(data: dict[str, Any]) -> str | None:
    """The URL of the page after this one, in either pagination style, or None on the last."""
    if isinstance(data.get("meta"), dict) or isinstance(data.get("links"), dict):
        meta = data.get("meta") or {}
        links = data.get("links") or {}
        return links.get("next") if meta.get("has_more") and links.get("next") else None
    page, count = data.get("page"), data.get("page_count")
    if isinstance(page, int) and isinstance(count, int) and page >= count:
        return None
    return data.get("next_page") or None


class HelpcenterSpider(WebsiteSpider):
    """Crawl one help-center touchpoint: the Zendesk API if configured, else its HTML pages."""

    name = "helpcenter"
    kind = "helpcenter"

    api_pages: set[str]  # API pages requested so far: a next page among them is a loop
    articles: int  # articles stored, against max_pages

    async def start(self) -> AsyncIterator[Any]:
        if not self.tp.zendesk:
            async for item in super().start():
                yield item
            return
        if self.tp.start_urls:
            logger.warning("%s: both zendesk and start_urls are set; reading the API only", self.tp.name)
        self.api_pages: set[str] = set()
        self.articles = 0
        yield self.api_request(articles_url(self.tp.zendesk))

    def api_request(self, url: str) -> Request:
        """An API page. robots.txt is for crawlers of HTML pages, not for a documented JSON API
        the touchpoint was configured to read, so it is not consulted."""
        self.api_pages.add(url)
        return Request(url, callback=self.parse_articles, errback=self.failed,
                       headers={"Accept": "application/json"},
                       meta={"dont_obey_robotstxt": True, "zendesk": True})

    def parse_articles(self, response: Response) -> Iterator[Document | Failure | Request]:
        """One page of articles: a Document per published article, then the next page."""
        url = response.url
        reason = status_reason(response.status)
        if reason:
            yield self.failure(url, reason, f"Zendesk API: HTTP {response.status}", response.status)
            return
        try:
            data = json.loads(response.body)
        except ValueError as exc:  # also UnicodeDecodeError
            yield self.failure(url, "parse_error", f"Zendesk API: invalid JSON ({exc})", response.status)
            return
        articles = data.get("articles") if isinstance(data, dict) else None
        if not isinstance(articles, list):
            yield self.failure(url, "parse_error", "Zendesk API: expected a JSON object with an "
                               "'articles' list", response.status)
            return
        for article in articles:
            if self.articles >= self.tp.max_pages:
                return
            yield from self.article(article, response)
        following = next_page(data)
        if following and self.articles < self.tp.max_pages:
            following = response.urljoin(following)
            if following in self.api_pages:
                yield self.failure(following, "parse_error", f"Zendesk API: pagination loops back to "
                                   f"a page already read (from {url})", response.status)
                return
            yield self.api_request(following)

    def article(self, article: Any, response: Response) -> Iterator[Document | Failure]:
        if not isinstance(article, dict):
            yield self.failure(response.url, "parse_error", "Zendesk API: an article is not an object")
            return
        if article.get("draft"):
            self.crawler.stats.inc_value("touchaudit/helpcenter/drafts")
            return
        html_url = str(article.get("html_url") or "").strip()
        if not html_url:
            yield self.failure(response.url, "parse_error",
                               f"Zendesk API: article {article.get('id')} has no html_url")
            return
        title = clean(str(article.get("title") or article.get("name") or ""))[0]
        try:
            # In a block of its own: a body may end in bare text after its last paragraph.
            page = extract(f"<html><body><div>{article.get('body') or ''}</div></body></html>",
                           selectors=self.selectors, dates=False)
        except Exception as exc:  # a parser bug must not end the crawl; it is a stored fact
            yield self.failure(html_url, "parse_error", f"{type(exc).__name__}: {exc}")
            return
        regions = [r for r in page.regions if r.name != "title"]
        if title:
            regions.insert(0, Region("title", title))
        self.articles += 1
        yield Document(
            touchpoint=self.tp.name,
            kind=self.kind,
            url=html_url,
            title=title,
            regions=regions,
            status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            extra={**{k: article.get(k) for k in ("updated_at", "id", "section_id", "locale")},
                   **_article_dates(article)},
        )



def _article_dates(article: dict[str, Any]) -> dict[str, str]:
    """The article's created and updated dates from the API, as documents keep them."""
    out = {}
    for key, name in (("created_at", "published"), ("updated_at", "updated")):
        value = str(article.get(key) or "")[:10]
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            out[name] = value
    return out

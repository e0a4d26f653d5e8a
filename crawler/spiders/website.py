"""The website spider: start URLs and sitemaps, links within the allowed domains, one Document
per page and one Failure per URL that gave none.

The spider only decides what to fetch and what a page is; the policies are Scrapy's own
middlewares, switched by settings: robots.txt (ROBOTSTXT_OBEY, per touchpoint from crawler/run.py),
redirects (REDIRECT_MAX_TIMES), retries, size limits (DOWNLOAD_MAXSIZE), the dupefilter (which
sees only canonical URLs, see crawler/urls.py). HelpcenterSpider reuses all of it for HTML help
centers through ``html_start_requests()`` and ``parse_page()``.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, StopDownload
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure as TwistedFailure

from audit.documents import Document, Failure
from crawler.encoding import DecodeError, decode_html
from crawler.extract import Extracted, extract
from crawler.failures import status_reason
from crawler.spiders.base import TouchpointSpider
from crawler.urls import absolute, canonical_url, domain_of, host, host_allowed, request_url, url_pattern

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_PAGES_REASON = "max_pages"  # the finish reason when max_pages documents are stored


class WebsiteSpider(TouchpointSpider):
    """Crawl one website touchpoint (``-a touchpoint=NAME``) into Documents and Failures."""

    name = "website"
    kind = "website"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WebsiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, WebsiteSpider)
        spider.setup_html_crawl()
        crawler.signals.connect(spider.headers_received, signal=signals.headers_received)
        return spider

    def setup_html_crawl(self) -> None:
        """Read the touchpoint's crawl scope: start URLs, allowed hosts, include/exclude."""
        tp = self.tp
        self.start_urls = [request_url(u) for u in tp.start_urls]  # as published: /docs/ is not /docs
        domains = [domain_of(d) for d in tp.allowed_domains] or [host(u) for u in self.start_urls]
        # Scrapy's OffsiteMiddleware reads allowed_domains too: it catches redirects off the site.
        self.allowed_domains = sorted({d for d in domains if d})
        self.include = [re.compile(p) for p in tp.include]
        self.exclude = [re.compile(p) for p in tp.exclude]

    # -- what to fetch --------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.html_start_requests():
            yield request

    def html_start_requests(self) -> Iterator[Request]:
        """The start URLs, then each start host's robots.txt sitemaps and sitemap.xml."""
        asked = self.__dict__.setdefault("_links_asked", set())
        for url in self.start_urls:
            asked.add(canonical_url(url))
            yield self.page_request(url, depth=0)
        if not self.tp.sitemap:
            return
        for root in dict.fromkeys(urljoin(url, "/").rstrip("/") for url in self.start_urls):
            yield Request(f"{root}/robots.txt", callback=self.parse_robots,
                          errback=self.sitemap_failed, meta={"guessed": True}, priority=-1)
            yield self.sitemap_request(f"{root}/sitemap.xml", guessed=True)

    def page_request(self, url: str, depth: int, canonical_of: str | None = None) -> Request:
        """A request for a page that may become a Document (``url`` as the site published it)."""
        meta = {"page": True, "link_depth": depth}
        if canonical_of:
            meta["canonical_of"] = canonical_of
        if self.renders(url):
            meta["playwright"] = True  # crawler/run.py routes it through Chromium
        return Request(url, callback=self.parse_page, errback=self.failed, meta=meta)

    def sitemap_request(self, url: str, guessed: bool = False) -> Request:
        return Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                       meta={"guessed": guessed}, priority=-1)

    def renders(self, url: str) -> bool:
        """Whether a page is read after its JavaScript ran (the touchpoint's ``render``)."""
        render = self.tp.render
        if isinstance(render, list):
            patterns = self.__dict__.setdefault("_render", [re.compile(p) for p in render])
            return any(p.search(url) for p in patterns)
        return bool(render)

    def wanted(self, url: str) -> bool:
        """In scope: on an allowed host, matching an include pattern (if any), no exclude."""
        if not host_allowed(url, self.allowed_domains):
            return False
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)

    def follow(self, urls: Iterable[str], depth: int) -> Iterator[Request]:
        """Requests for the in-scope URLs (absolute), unless max_depth is reached."""
        if depth > self.tp.max_depth:
            return
        raw_seen = self.__dict__.setdefault("_links_seen", set())
        asked = self.__dict__.setdefault("_links_asked", set())
        for url in urls:
            # Most links point to pages already asked for: skip them before canonicalizing and
            # building a Request the dupefilter would drop anyway (the crawl's hottest loop).
            if url in raw_seen:
                continue
            raw_seen.add(url)
            key = canonical_url(url)  # one page, however it is spelled
            if key in asked:
                continue
            if len(asked) >= self.tp.max_pages * ACCEPT_FACTOR:
                # Enough pages are asked for to reach max_pages: a sitemap of 50,000 URLs or a
                # link farm does not fill memory with requests the crawl will never make.
                self.crawler.stats.inc_value("touchaudit/not_accepted_over_max_pages")
                continue
            asked.add(key)
            if not self.wanted(key):
                self.crawler.stats.inc_value("touchaudit/out_of_scope")
            elif self.trapped(key):
                self.crawler.stats.inc_value("touchaudit/over_pattern_limit")
            else:
                yield self.page_request(request_url(url), depth)  # fetched as the site wrote it

    def trapped(self, url: str) -> bool:
        """Whether ``url`` is one page too many of its pattern (``max_per_pattern``): a calendar,
        session ids or faceted navigation make endless URLs that depth alone does not stop."""
        counts = self.__dict__.setdefault("_pattern_counts", {})
        pattern = url_pattern(url)
        if counts.get(pattern, 0) >= self.tp.max_per_pattern:
            if counts.get(pattern, 0) == self.tp.max_per_pattern:
                logger.info("%s: more than %d pages like %s: the rest are not followed", self.tp.name,
                            self.tp.max_per_pattern, url)
                counts[pattern] += 1
            return True
        counts[pattern] = counts.get(pattern, 0) + 1
        return False

    def headers_received(self, headers: Any, request: Request, **kwargs: Any) -> None:
        """Stop downloading a linked PDF, image or video as soon as its type is known."""
        if request.meta.get("page"):
            ctype = _content_type(headers.get(b"Content-Type"))
            if ctype and ctype not in HTML_TYPES and ctype not in XML_TYPES:  # XML may be a sitemap
                raise StopDownload(fail=False)

    # -- what a page is ------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Document | Failure | Request]:
        """A Document for an HTML page, a Failure otherwise; then requests for its links."""
        self.check_max_pages()
        url = canonical_url(response.url)
        reason = status_reason(response.status)
        if reason:
            yield self.failure(url, reason, f"HTTP {response.status}", response.status)
            return
        raw_type = response.headers.get(b"Content-Type")
        ctype = _content_type(raw_type)
        if _is_sitemap(ctype, response.body):
            # A sitemap a page links to is still a sitemap (and the page it names are pages).
            self.crawler.stats.inc_value("touchaudit/linked_sitemaps")
            yield from self.parse_sitemap(response)
            return
        if ctype not in HTML_TYPES and not (ctype is None and _looks_like_html(response.body)):
            yield self.failure(url, "not_html", f"Content-Type {ctype or 'missing'}", response.status)
            return
        try:
            text, _encoding = decode_html(response.body, raw_type.decode("latin-1") if raw_type else None)
        except DecodeError as exc:
            yield self.failure(url, "decode_error", str(exc), response.status)
            return
        try:
            page = extract(text, selectors=self.selectors, url=response.url)
        except Exception as exc:  # a parser bug must not end the crawl; it is a stored fact
            logger.warning("could not parse %s: %s", url, exc)
            yield self.failure(url, "parse_error", f"{type(exc).__name__}: {exc}", response.status)
            return
        missing = soft_404(page)
        if missing:
            yield self.failure(url, "soft_404", missing, response.status)
            return
        canonical = self.canonical_elsewhere(response, page)
        if canonical:
            # Another URL is this page's name: fetch that one (once, by the dupefilter) instead.
            yield self.page_request(canonical, response.meta.get("link_depth", 0), canonical_of=url)
        else:
            yield self.document(response, page)
            self.check_max_pages()
        base = absolute(page.base, response.url) if page.base else None
        links = (absolute(href, base or response.url) for href in page.links)
        yield from self.follow((u for u in links if u), response.meta.get("link_depth", 0) + 1)

    def document(self, response: Response, page: Extracted) -> Document:
        """The Document of a fetched page, under its canonical URL."""
        return Document(
            touchpoint=self.tp.name,
            kind=self.kind,
            url=canonical_url(response.url),
            title=page.title,
            regions=page.regions,
            status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            extra={k: v for k, v in (("published", page.published), ("updated", page.updated),
                                     ("needs_scripts", None if response.meta.get("playwright")
                                      else needs_scripts(page, response.body))) if v},
        )

    def canonical_elsewhere(self, response: Response, page: Extracted) -> str | None:
        """The rel=canonical URL when it names another in-scope page, else None.

        A page reached *because* another named it canonical is stored as itself, so two pages
        naming each other still give one document.
        """
        if not page.canonical or response.meta.get("canonical_of"):
            return None
        target = absolute(page.canonical, response.url)
        if not target:
            return None
        key = canonical_url(target)
        if key == canonical_url(response.url) or not self.wanted(key):
            return None
        self.crawler.stats.inc_value("touchaudit/canonical_elsewhere")
        return request_url(target)

    def failure(self, url: str, reason: str, detail: str, status: int | None = None) -> Failure:
        self.crawler.stats.inc_value(f"touchaudit/failures/{reason}")
        return Failure(self.tp.name, url, reason, detail, status)

    def check_max_pages(self) -> None:
        """Close the spider once max_pages documents are stored (the crawl is still complete)."""
        if self.crawler.stats.get_value("touchaudit/documents", 0) >= self.tp.max_pages:
            raise CloseSpider(MAX_PAGES_REASON)

    # -- sitemaps ------------------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield self.sitemap_request(url)

    def parse_sitemap(self, response: Response) -> Iterator[Request | Failure]:
        """Pages of a urlset, or the sitemaps of a sitemap index."""
        guessed = response.meta.get("guessed")
        if response.status != 200:
            if not guessed:  # a sitemap named in robots.txt that is missing is a broken link
                reason = status_reason(response.status) or "parse_error"
                yield self.failure(response.url, reason, f"sitemap: HTTP {response.status}", response.status)
            yield from self.next_sitemap()
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            sitemap = Sitemap(body)
        except Exception as exc:
            if not guessed:
                yield self.failure(response.url, "parse_error", f"sitemap: {exc}")
            yield from self.next_sitemap()
            return
        locs = (entry["loc"] for entry in sitemap if entry.get("loc"))
        queue = self.__dict__.setdefault("_sitemaps", deque())
        if sitemap.type == "sitemapindex":
            # The sitemaps of an index are asked for one after another, as the crawl needs more
            # URLs: a hundred sitemaps of 50,000 URLs are not all held at once.
            queue.extend(request_url(loc) for loc in locs)
        else:
            # Pages listed in a sitemap count as start URLs: they may be linked from nowhere.
            yield from self.follow(locs, depth=0)
        yield from self.next_sitemap()

    def next_sitemap(self) -> Iterator[Request]:
        """The next sitemap of an index, while the crawl can still use more URLs."""
        queue = self.__dict__.setdefault("_sitemaps", deque())
        if queue and len(self.__dict__.get("_links_asked", ())) < self.tp.max_pages * ACCEPT_FACTOR:
            yield self.sitemap_request(queue.popleft())

    def sitemap_failed(self, failure: TwistedFailure) -> Iterator[Failure | Request]:
        """A guessed robots.txt or sitemap.xml that is not there is no failure of the site."""
        yield from self.next_sitemap()
        if failure.request.meta.get("guessed"):
            logger.debug("no %s: %s", failure.request.url, failure.value)
            return
        yield from self.failed(failure)


_NOT_FOUND = re.compile(r"\b(?:404|page not found|not found|(?:does not|doesn't|no longer) exists?|"
                        r"no longer available|(?:couldn't|could not|can't|cannot) (?:be )?f(?:ou|i)nd)\b",
                        re.IGNORECASE)
SOFT_404_WORDS = 150  # an error page is short: a longer page about "404 errors" is content


def soft_404(page: Extracted) -> str | None:
    """Why a page served with 200 is a "not found" page (its title or first heading says so and
    it has little text of its own), else None."""
    heading = next((r.text.split("\n")[0] for r in page.regions if r.name == "heading" and r.text), "")
    said = next((t for t in (page.title or "", heading) if _NOT_FOUND.search(t)), None)
    if said is None:
        return None
    words = sum(len(r.text.split()) for r in page.regions if r.name == "body")
    if words >= SOFT_404_WORDS:
        return None
    return f"HTTP 200, but the page says {said.strip()!r} ({words} words)"


ACCEPT_FACTOR = 2  # page URLs accepted at most, as a multiple of max_pages (room for failures)
_SCRIPT = re.compile(rb"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_SCRIPT_SRC = re.compile(rb"<script\b[^>]*\bsrc=", re.IGNORECASE)
EMPTY_WORDS = 20  # a page with less text than this in its body, and...
SCRIPT_BYTES = 20_000  # ...this much inline script (or 3 external scripts), is built in the browser


def needs_scripts(page: Extracted, body: bytes) -> str | None:
    """Why a page probably shows its text only once JavaScript runs (an app shell: an empty
    body, large scripts), else None; the crawl summary names such pages."""
    words = sum(len(r.text.split()) for r in page.regions if r.name == "body")
    if words >= EMPTY_WORDS:
        return None
    inline = sum(len(m.group(1)) for m in _SCRIPT.finditer(body))
    external = len(_SCRIPT_SRC.findall(body))
    if inline < SCRIPT_BYTES and external < 3:
        return None
    return f"{words} words of text, {inline:,} bytes of inline script, {external} script files"


XML_TYPES = frozenset({"application/xml", "text/xml", "application/gzip", "application/x-gzip"})


def _is_sitemap(ctype: str | None, body: bytes) -> bool:
    if ctype not in XML_TYPES and not body.lstrip()[:5] == b"<?xml":
        return False
    head = body[:4096]
    return head[:2] == b"\x1f\x8b" or b"<urlset" in head or b"<sitemapindex" in head


def _content_type(raw: bytes | None) -> str | None:
    if not raw:
        return None
    return raw.decode("latin-1").split(";")[0].strip().lower() or None


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None

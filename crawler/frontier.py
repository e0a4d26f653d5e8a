"""The crawl frontier, kept in the store so that a crawl stopped in any way can be resumed.

Scrapy's JOBDIR writes its request queue only on a graceful stop; after ``kill -9`` it is gone.
Here every page request a spider yields is a row of the store's ``frontier`` table (url, depth),
``pending`` until its page is stored, then ``fetched`` (or ``failed``). A resumed crawl
(TOUCHAUDIT_RESUME) starts from the pending rows and drops requests for URLs already done, so it
loses no page and fetches no stored page again.

Two components share one ``Frontier`` per crawler:

- ``FrontierMiddleware`` (a spider middleware) sees what is asked and what arrives: it records
  each page request as pending, notes which items each response produced, and on resume replaces
  the start requests with the pending URLs;
- ``crawler.pipelines.StorePipeline`` sees what is stored: after each batch of documents is
  committed it releases their responses, and only a response whose items are all stored (or
  that produced none) is marked. Rows are written with the pipeline's batches, pending rows
  before the marks, so a page is never marked fetched before its document and the links found
  on it are in the store.

Only page requests (``meta["page"]``, see WebsiteSpider.page_request) are tracked: they are
rebuilt on resume with the spider's ``page_request(url, depth)``. robots.txt, sitemaps and API
pages are asked again by the start requests of a resumed crawl; the page URLs they list are
dropped when already done.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from audit.documents import Document, Failure
from audit.store import Store

logger = logging.getLogger(__name__)

FRONTIER_URL = "frontier_url"  # request meta: the frontier row of a request (kept across redirects)
WRITE_ROWS = 1000  # buffered frontier rows that trigger a write between two document batches

_FRONTIERS: weakref.WeakKeyDictionary[Crawler, Frontier] = weakref.WeakKeyDictionary()


def frontier_of(crawler: Crawler) -> Frontier | None:
    """The frontier of a crawler, or None when FrontierMiddleware is not enabled."""
    return _FRONTIERS.get(crawler)


class _Arrived:
    """A response whose frontier mark waits for its items to be stored."""

    __slots__ = ("items", "state", "done")

    def __init__(self) -> None:
        self.items = 0  # items yielded and not yet stored (or dropped)
        self.state = "fetched"
        self.done = False  # the callback has yielded everything


class Frontier:
    """The frontier rows of one crawler between two writes, and what a resumed crawl skips."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.resume = False  # set by open(): the crawl continues a stopped one
        self.store: Store | None = None
        self.crawl_id = 0
        self.touchpoint = ""
        self.added: list[tuple[str, int]] = []
        self.marks: list[tuple[str, str]] = []
        self.done: set[str] = set()  # fetched or failed before this process (resume only)
        self.seeds: list[tuple[str, int]] = []  # pending before this process (resume only)
        self.arrived: dict[str, _Arrived] = {}
        self.item_url: dict[int, str] = {}  # id(item) -> frontier URL of its response

    def open(self, store: Store, crawl_id: int, touchpoint: str, resume: bool = False) -> None:
        """Bind to the store pipeline's connection; on resume, read what is pending and done."""
        self.store, self.crawl_id, self.touchpoint = store, crawl_id, touchpoint
        self.resume = resume
        if not self.resume:
            return
        for row in store.frontier(crawl_id, touchpoint):
            if row["state"] == "pending":
                self.seeds.append((row["url"], row["depth"]))
            else:
                self.done.add(row["url"])
        logger.info("%s: resuming crawl %d: %d URLs pending, %d done", touchpoint, crawl_id,
                    len(self.seeds), len(self.done))

    def close(self) -> None:
        self.store = None

    # -- what the spider asks for and what arrives ------------------------------------------
    def add(self, request: Request) -> bool:
        """Record a page request as pending; False when its URL was done before this process."""
        if self.store is None:  # no StorePipeline: nothing to keep the frontier in
            return True
        if request.url in self.done:
            self.stats.inc_value("frontier/skipped_done")
            return False
        request.meta.setdefault(FRONTIER_URL, request.url)
        self.added.append((request.url, request.meta.get("link_depth", 0)))
        return True

    def arrive(self, url: str) -> _Arrived:
        return self.arrived.setdefault(url, _Arrived())

    def expect(self, url: str, item: Document | Failure) -> None:
        """An item of the response of ``url``: that URL is marked once the item is stored."""
        if self.store is None:
            return
        entry = self.arrive(url)
        entry.items += 1
        if isinstance(item, Failure):
            entry.state = "failed"
        self.item_url[id(item)] = url

    def finished(self, url: str) -> None:
        """The response of ``url`` yielded all it had; mark it now if nothing waits to be stored."""
        if self.store is None:
            return
        entry = self.arrive(url)
        entry.done = True
        self._settle(url, entry)

    def abandon(self, url: str) -> None:
        """The callback raised: leave the URL pending (a resumed crawl asks for it again)."""
        self.arrived.pop(url, None)

    # -- what is stored -------------------------------------------------------------------
    def stored(self, items: Iterable[Any]) -> None:
        """Items committed to the store (or dropped as duplicates): release their responses.

        A Failure that no response is waiting for came from an errback (timeout, DNS…), which
        Scrapy does not pass through spider middlewares: its URL is the request's, mark it failed.
        """
        for item in items:
            url = self.item_url.pop(id(item), None)
            if url is None:
                if isinstance(item, Failure) and item.url:
                    self.marks.append((item.url, "failed"))
                continue
            entry = self.arrived.get(url)
            if entry is not None:
                entry.items -= 1
                self._settle(url, entry)

    def _settle(self, url: str, entry: _Arrived) -> None:
        if entry.done and entry.items <= 0:
            del self.arrived[url]
            self.marks.append((url, entry.state))

    def write(self) -> None:
        """Write the buffered pending rows, then the marks, in one transaction."""
        if self.store is None or not (self.added or self.marks):
            return
        self.store.frontier_update(self.crawl_id, self.touchpoint, self.added, self.marks)
        self.stats.inc_value("frontier/pending_rows", len(self.added))
        self.stats.inc_value("frontier/marks", len(self.marks))
        self.added, self.marks = [], []

    def write_if_full(self) -> None:
        if len(self.added) + len(self.marks) >= WRITE_ROWS:
            self.write()


class FrontierMiddleware:
    """Record page requests in the store's frontier; on resume, start from what is pending.

    Enable it near the engine end (a low order in SPIDER_MIDDLEWARES), so that it records the
    requests that passed the other middlewares' filters.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.frontier = Frontier(crawler)
        _FRONTIERS[crawler] = self.frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.item_released, signal=signals.item_dropped)
        crawler.signals.connect(mw.item_released, signal=signals.item_error)
        crawler.signals.connect(mw.request_dropped, signal=signals.request_dropped)
        return mw

    def request_dropped(self, request: Request, **kwargs: Any) -> None:
        """A page request the scheduler dropped as a duplicate (its URL asked for another way: a
        sitemap and a link, a canonical target) is not left pending: the page it names is fetched
        by the other request."""
        url = request.meta.get(FRONTIER_URL)
        if url is not None and url == request.url:
            self.frontier.marks.append((url, "fetched"))
            self.frontier.write_if_full()

    def item_released(self, item: Any, **kwargs: Any) -> None:
        """A dropped item (a duplicate) or one a pipeline failed on will never be stored."""
        if id(item) in self.frontier.item_url:
            self.frontier.stored([item])

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        frontier = self.frontier
        if frontier.seeds and hasattr(spider, "page_request"):
            seeds, frontier.seeds = frontier.seeds, []
            self.crawler.stats.set_value("frontier/resumed_pending", len(seeds))
            for url, depth in seeds:
                request = spider.page_request(url, depth)
                request.meta[FRONTIER_URL] = request.url
                yield request
        async for out in start:
            if self._keep(out):
                yield out

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        url = response.meta.get(FRONTIER_URL)
        with self._callback_of(url):
            for out in result:
                if self._keep(out, url):
                    yield out

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        url = response.meta.get(FRONTIER_URL)
        with self._callback_of(url):
            async for out in result:
                if self._keep(out, url):
                    yield out

    @contextmanager
    def _callback_of(self, url: str | None) -> Iterator[None]:
        """Around a page's callback: its URL is finished when the callback ends, abandoned if
        it raises (the sync and async paths share this)."""
        try:
            yield
        except BaseException:
            if url:
                self.frontier.abandon(url)
            raise
        if url:
            self.frontier.finished(url)

    def _keep(self, out: Any, url: str | None = None) -> bool:
        """Record one output of a callback (or of start); False to drop it."""
        frontier = self.frontier
        if isinstance(out, Request):
            if not out.meta.get("page"):
                return True
            keep = frontier.add(out)
            frontier.write_if_full()
            return keep
        if url and isinstance(out, (Document, Failure)):
            frontier.expect(url, out)
        return True

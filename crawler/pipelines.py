"""Item pipelines: drop a page seen twice, then write documents and failures to the store.

The store pipeline also writes the crawl frontier (crawler/frontier.py) after each batch, so a
page is marked fetched only once its document is committed.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from audit.documents import Document, Failure
from audit.store import Store
from crawler.frontier import Frontier, frontier_of
from crawler.jobs import crawl_of, store_path

logger = logging.getLogger(__name__)


class DedupePipeline:
    """One document per page: the same URL or the same content under another URL is dropped.

    Spiders canonicalize URLs (tracking parameters, trailing slash, rel=canonical) before they
    yield; identical content under different URLs is caught here by its hash. Drops are counted
    in ``dedupe/*`` stats and logged at INFO (``-v``), not as warnings. A resumed crawl
    (TOUCHAUDIT_RESUME) starts from the documents the crawl already stored.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.urls: set[tuple[str, str]] = set()
        self.hashes: dict[tuple[str, str], str] = {}
        prefix = crawler.settings.get("TOUCHAUDIT_REDIS_PREFIX")
        if prefix:  # several processes share the crawl: the first to claim a content hash wins
            from crawler.scale import SharedClaims

            self.shared: SharedClaims | None = SharedClaims(crawler.settings.get("REDIS_URL"), prefix)
        else:
            self.shared = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        touchpoint = touchpoint_of(self.crawler.spider)
        crawl = crawl_of(self.crawler, touchpoint)
        if not crawl.resumed:
            return
        with Store(store_path(self.crawler.settings)) as store:
            for content_hash, url in store.known_hashes(crawl.id, touchpoint).items():
                self.urls.add((touchpoint, url))
                self.hashes[(touchpoint, content_hash)] = url

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Document):
            return item
        key = (item.touchpoint, item.url)
        if key in self.urls:
            self.stats.inc_value("dedupe/same_url")
            raise DropItem(f"already stored: {item.url}", log_level="INFO")
        first = self.hashes.get((item.touchpoint, item.content_hash))
        if first is not None and item.kind == "email":
            # Two template files with the same text are two files to fix, not one page at two
            # URLs: both are stored, the later one marked as a duplicate of the first.
            self.stats.inc_value("dedupe/same_content_kept")
            item.extra["duplicate_of"] = first
            self.urls.add(key)
            return item
        if first is not None:
            self.stats.inc_value("dedupe/same_content")
            raise DropItem(f"same content as {first}: {item.url}", log_level="INFO")
        self.urls.add(key)
        self.hashes[(item.touchpoint, item.content_hash)] = item.url
        if self.shared is not None and not self.shared.claim(item.url, item.content_hash):
            self.stats.inc_value("dedupe/same_content_elsewhere")
            raise DropItem(f"stored by another crawl process: {item.url}", log_level="INFO")
        return item


class StorePipeline:
    """Write documents and failures in batches, so a killed crawl keeps what it fetched."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.batch_size = settings.getint("TOUCHAUDIT_BATCH", 50)
        self.store_path = store_path(settings)
        self.crawl_id = 0
        self.docs: list[Document] = []
        self.failures: list[Failure] = []
        self.store: Store | None = None
        self.frontier: Frontier | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = Store(self.store_path)
        touchpoint = touchpoint_of(self.crawler.spider)
        # Under `scrapy crawl` or Scrapyd this job starts, joins or resumes a crawl; the
        # CrawlJob extension (crawler/jobs.py) finishes, audits and reports it.
        crawl = crawl_of(self.crawler, touchpoint)
        self.crawl_id = crawl.id
        self.crawler.stats.set_value("touchaudit/crawl_id", self.crawl_id)
        if crawl.resumed:
            # max_pages counts the documents of the whole crawl, not of this process.
            stored = self.store.crawl_counts(self.crawl_id).get(touchpoint, {}).get("documents", 0)
            self.crawler.stats.set_value("touchaudit/documents", stored)
        self.frontier = frontier_of(self.crawler)
        if self.frontier is not None:
            self.frontier.open(self.store, self.crawl_id, touchpoint, resume=crawl.resumed)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, Document):
            self.docs.append(item)
            self.crawler.stats.inc_value("touchaudit/documents")
        elif isinstance(item, Failure):
            self.failures.append(item)
        if len(self.docs) + len(self.failures) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Commit the batch, then the frontier: its marks only name pages now in the store."""
        assert self.store is not None
        written: list[Document | Failure] = []
        docs, self.docs = self.docs, []  # taken first: a batch that fails is never retried forever
        if docs:
            refused = self.store.add_documents(self.crawl_id, docs)
            for failure in refused:
                logger.warning("%s: %s", failure.url, failure.detail)
                self.crawler.stats.inc_value("touchaudit/failures/not_stored")
            self.failures += refused
            written += docs
        failures, self.failures = self.failures, []
        if failures:
            self.store.add_failures(self.crawl_id, failures)
            written += failures
        if self.frontier is not None:
            self.frontier.stored(written)
            self.frontier.write()

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is None:
            return
        self.flush()
        if self.frontier is not None:
            self.frontier.close()
        self.store.close()
        self.store = None


def touchpoint_of(spider: Spider | None) -> str:
    tp = getattr(spider, "tp", None)
    return tp.name if tp is not None else getattr(spider, "name", "")

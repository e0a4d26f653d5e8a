"""Crawl progress on stderr: pages fetched, queued and failed, per touchpoint."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet import task


class Progress:
    """Print one line per touchpoint every PROGRESS_INTERVAL seconds (only on a terminal).

    Set PROGRESS_FORCE to print even when stderr is not a terminal.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 2.0)
        self.enabled = crawler.settings.getbool("PROGRESS_FORCE") or sys.stderr.isatty()
        self.loop: task.LoopingCall | None = None
        self.spider: Spider | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        stats = self.crawler.stats
        fetched = stats.get_value("touchaudit/documents", 0)
        failed = sum(v for k, v in stats.get_stats().items() if k.startswith("touchaudit/failures/"))
        enq = stats.get_value("scheduler/enqueued", 0)
        deq = stats.get_value("scheduler/dequeued", 0)
        name = getattr(getattr(self.spider, "tp", None), "name", getattr(self.spider, "name", "?"))
        return f"{name}: {fetched} stored, {max(enq - deq, 0)} queued, {failed} failed"

    def opened(self, spider: Spider) -> None:
        self.spider = spider
        if self.enabled:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def report(self, final: bool = False) -> None:
        print(("done " if final else "") + self.line(), file=sys.stderr, flush=True)

    def closed(self, spider: Spider, reason: Any = None) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.enabled:
            self.report(final=True)

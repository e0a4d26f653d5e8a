"""Scale-out: several crawl processes (or machines) share one frontier through scrapy-redis.

Switched on by ``crawl: {redis_url: redis://host:6379/0}`` in touchaudit.yaml. Every process runs
the same `touchaudit crawl`; the first one to arrive starts the crawl in the store and publishes
its id in Redis, the others join it. Requests go to a Redis queue and a Redis dupefilter (per
config and touchpoint), so each page is fetched once by whichever process pops it. A process does
not stop while another one still has requests in flight (:class:`SharedIdle`), and the last
process to leave marks the crawl finished and clears the crawl's keys, so the next run starts
afresh.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings

from audit.config import Config
from audit.store import Store

logger = logging.getLogger(__name__)

JOIN_WAIT = 60.0  # seconds a process waits for the first one to publish the crawl id


def prefix(config: Config) -> str:
    """Redis key prefix of one config: two projects never share a frontier."""
    return "touchaudit:" + hashlib.sha256(config.text.encode()).hexdigest()[:16]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def apply(settings: Settings, config: Config, touchpoint: str) -> None:
    """Switch one touchpoint's crawler settings to the shared Redis frontier."""
    base = f"{prefix(config)}:{touchpoint}"
    settings.setdict({
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # a process that finishes must not flush the others' queue
        "SCHEDULER_QUEUE_KEY": f"{base}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{base}:dupefilter",
        "DUPEFILTER_KEY": f"{base}:dupefilter",
        "REDIS_URL": config.crawl["redis_url"],
        "TOUCHAUDIT_REDIS_PREFIX": base,
    }, priority="cmdline")
    settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"), "crawler.scale.SharedIdle": 100},
                 priority="cmdline")


def join_or_start(config: Config, store: Store) -> tuple[int, bool]:
    """(crawl id, started here): the first process starts the crawl, the others join it."""
    r = client(config.crawl["redis_url"])
    key = f"{prefix(config)}:crawl"
    r.sadd(f"{prefix(config)}:processes", worker_id())
    deadline = time.monotonic() + JOIN_WAIT
    while True:
        existing = r.get(key)
        if existing is not None:
            return int(existing), False
        if r.set(f"{key}:lock", worker_id(), nx=True, ex=int(JOIN_WAIT)):
            crawl_id = store.start_crawl(str(config.path), config.text)
            r.set(key, crawl_id)
            return crawl_id, True
        if time.monotonic() > deadline:
            raise RuntimeError(f"no crawl id published in Redis under {key} within {JOIN_WAIT:.0f}s")
        time.sleep(0.1)


def leave(config: Config) -> bool:
    """Say this process is done; True when it was the last one (it then clears the keys)."""
    r = client(config.crawl["redis_url"])
    procs = f"{prefix(config)}:processes"
    r.srem(procs, worker_id())
    if r.scard(procs):
        return False
    keys = list(r.scan_iter(f"{prefix(config)}:*"))
    if keys:
        r.delete(*keys)
    return True


class SharedIdle:
    """Keep an idle spider open while another process of the same crawl is still busy.

    Each process registers in ``…:workers`` and marks itself in ``…:idle`` when its scheduler
    runs dry; a request reaching its downloader takes the mark away. A spider closes only when
    the shared queue is empty and every registered process is idle; on closing it deregisters.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.prefix = crawler.settings.get("TOUCHAUDIT_REDIS_PREFIX")
        self.redis = client(crawler.settings.get("REDIS_URL"))
        self.me = worker_id()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedIdle:
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.busy, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Spider) -> None:
        self.redis.sadd(f"{self.prefix}:workers", self.me)

    def busy(self, request: Any, spider: Spider) -> None:
        self.redis.srem(f"{self.prefix}:idle", self.me)

    def idle(self, spider: Spider) -> None:
        self.redis.sadd(f"{self.prefix}:idle", self.me)
        queued = self.redis.zcard(f"{self.prefix}:requests")
        workers = self.redis.smembers(f"{self.prefix}:workers")
        idle = self.redis.smembers(f"{self.prefix}:idle")
        if queued or not workers <= idle:
            self.crawler.stats.inc_value("touchaudit/scale/kept_open")
            raise DontCloseSpider

    def closed(self, spider: Spider, reason: str) -> None:
        self.redis.srem(f"{self.prefix}:workers", self.me)
        self.redis.srem(f"{self.prefix}:idle", self.me)


class SharedClaims:
    """Content hashes claimed by the processes of one crawl (identical pages stored once)."""

    def __init__(self, url: str, prefix: str):
        self.redis = client(url)
        self.key = f"{prefix}:hashes"

    def claim(self, url: str, content_hash: str) -> bool:
        return bool(self.redis.hsetnx(self.key, content_hash, url)) or \
            self.redis.hget(self.key, content_hash) == url.encode()

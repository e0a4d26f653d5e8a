"""Run every configured touchpoint's spider in one process and store the crawl.

This is the only entry into the crawler from outside Scrapy (`touchaudit crawl` calls it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings

from audit.config import Config, Touchpoint
from audit.errors import TouchauditError
from audit.store import Store
from crawler.jobs import COMPLETE_REASONS
from crawler.lock import crawl_lock

logger = logging.getLogger(__name__)


SPIDERS = {
    "website": "crawler.spiders.website.WebsiteSpider",
    "helpcenter": "crawler.spiders.helpcenter.HelpcenterSpider",
    "email": "crawler.spiders.email.EmailSpider",
}


def spider_class(tp: Touchpoint) -> type:
    """The spider that collects a touchpoint of this kind (only that kind's module is imported)."""
    return load_object(SPIDERS[tp.kind])


def crawl_settings(config: Config, crawl_id: int = 0, **overrides: Any) -> Settings:
    """Scrapy settings for a crawl of this config: the project's, then touchaudit.yaml's."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if _in_project():
        # A project's own settings module (scrapy.cfg, SCRAPY_SETTINGS_MODULE) wins over ours.
        settings.update(get_project_settings())
    c = config.crawl
    settings.setdict(
        {
            "TOUCHAUDIT_CONFIG": str(config.path),
            "TOUCHAUDIT_CONFIG_OBJECT": config,
            "TOUCHAUDIT_STORE": str(config.store),
            "TOUCHAUDIT_CRAWL_ID": crawl_id,
            "CONCURRENT_REQUESTS": c.get("concurrency", 8),
            "CONCURRENT_REQUESTS_PER_DOMAIN": c.get("per_host", 8),
            "DOWNLOAD_DELAY": c.get("delay", 0.0),
            "DOWNLOAD_TIMEOUT": c.get("timeout", 30.0),
            "DOWNLOAD_MAXSIZE": config.max_size_bytes,
            "RETRY_TIMES": c.get("retries", 2),
            "RETRY_BACKOFF_BASE": c.get("backoff", 0.5),
            "AUTOTHROTTLE_ENABLED": bool(c.get("autothrottle", False)),
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c.get("per_host", 8)),
            "USER_AGENT": c.get("user_agent") or settings.get("USER_AGENT"),
        },
        priority="cmdline",
    )
    if c.get("httpcache"):
        settings.setdict(
            {
                "HTTPCACHE_ENABLED": True,
                "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
                "HTTPCACHE_DIR": str(config.store.with_suffix(".httpcache")),
                # Revalidate every cached page (a conditional request, 304 when unchanged): an
                # audit reads the site as it is now, not as a heuristic freshness guesses it is.
                "DEFAULT_REQUEST_HEADERS": {
                    **settings.getdict("DEFAULT_REQUEST_HEADERS"), "Cache-Control": "max-age=0",
                },
            },
            priority="cmdline",
        )
    settings.setdict(overrides, priority="cmdline")
    return settings


def resumable_crawl(store: Store) -> int | None:
    """The latest crawl left ``running`` (its process was killed) or ``interrupted``."""
    for row in reversed(store.crawls()):
        if row["state"] in ("running", "interrupted"):
            return int(row["id"])
    return None


@contextmanager
def _scrapy_quiet_below(level: int) -> Iterator[None]:
    """Scrapy's loggers at the root logger's level: WARNING by default, INFO with ``-v``.

    Without a root handler of its own Scrapy still sets its logger to DEBUG, and every record
    passes through the CLI's handler; its start-up lines are logged while CrawlerProcess is
    built, so records below ``level`` are also disabled until then.
    """
    previous = logging.root.manager.disable
    logging.disable(level - 1)
    try:
        yield
    finally:
        logging.disable(previous)
        logging.getLogger("scrapy").setLevel(level)
        # An unreachable robots.txt is logged as an error with a traceback; the pages behind it
        # are stored Failures already, so it shows with -v only.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(
            level if level <= logging.INFO else logging.CRITICAL
        )


def _in_project() -> bool:
    try:
        from scrapy.utils.conf import closest_scrapy_cfg

        return bool(closest_scrapy_cfg())
    except Exception:  # pragma: no cover - scrapy internals moved
        return False


def run_crawl(
    config: Config, touchpoints: list[str] | None = None, resume: bool = False, **overrides: Any
) -> int:
    """Crawl the configured touchpoints (all, or the named ones); return the crawl id.

    The crawl is marked ``complete`` when every spider finished, ``interrupted`` otherwise
    (Ctrl-C, a shutdown); documents already fetched are in the store either way. A process
    killed outright leaves its crawl ``running``. With ``resume``, the latest crawl left
    ``running`` or ``interrupted`` is continued from its stored frontier (crawler/frontier.py):
    pending URLs are fetched, stored pages are not; without such a crawl a new one starts.
    """
    shared = bool(config.crawl.get("redis_url"))
    with ExitStack() as held:
        locked = False
        with Store(config.store) as store:
            crawl_id = resumable_crawl(store) if resume else None
            if shared and crawl_id is None:
                from crawler import scale

                crawl_id, _ = scale.join_or_start(config, store)
            elif crawl_id is None:
                if resume:
                    logger.warning("no running or interrupted crawl in %s to resume; starting a new "
                                   "crawl", config.store)
                crawl_id = store.start_crawl(str(config.path), config.text)
            else:
                if not shared:  # refused here, before the crawl's state is touched, when it is busy
                    held.enter_context(crawl_lock(Path(config.store), crawl_id))
                    locked = True
                store.set_crawl_state(crawl_id, "interrupted")
                overrides.setdefault("TOUCHAUDIT_RESUME", True)
                logger.info("resuming crawl %d", crawl_id)
        if not shared and not locked:
            held.enter_context(crawl_lock(Path(config.store), crawl_id))
        return _crawl(config, crawl_id, touchpoints, shared, **overrides)


def _crawl(config: Config, crawl_id: int, touchpoints: list[str] | None, shared: bool,
           **overrides: Any) -> int:
    settings = crawl_settings(config, crawl_id, **overrides)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False)  # the CLI's handler prints our records
    with _scrapy_quiet_below(logging.getLogger().getEffectiveLevel()):
        process = CrawlerProcess(settings)
    crawlers: list[Crawler] = []
    for tp in config.touchpoints:
        if touchpoints and tp.name not in touchpoints:
            continue
        tp_settings = settings.copy()
        tp_settings.set("ROBOTSTXT_OBEY", tp.robots, priority="cmdline")
        if tp.render:
            _render_with_chromium(tp_settings)
        if shared:
            from crawler import scale

            scale.apply(tp_settings, config, tp.name)
        # The first crawler installs the reactor (TWISTED_REACTOR); the others find it installed.
        crawler = Crawler(spider_class(tp), tp_settings, init_reactor=not crawlers)
        crawlers.append(crawler)
        process.crawl(crawler, touchpoint=tp.name)
    state = "interrupted"
    reasons: list[Any] = []
    try:
        process.start()
        reasons = [c.stats.get_value("finish_reason") for c in crawlers]
        state = "complete" if all(r in COMPLETE_REASONS for r in reasons) else "interrupted"
    finally:
        # With a shared frontier only the last process to leave finishes the crawl.
        if not shared or _last_to_leave(config):
            with Store(config.store) as store:
                if state == "complete" and all(r == "finished" for r in reasons):
                    names = [t.name for t in config.touchpoints if not touchpoints or t.name in touchpoints]
                    state = _unless_pending(store, crawl_id, names)
                store.finish_crawl(crawl_id, state)
    return crawl_id


def _unless_pending(store: Store, crawl_id: int, touchpoints: list[str]) -> str:
    """'complete', or 'interrupted' when URLs the crawl accepted are still pending (a crawl
    that ran out of work is complete only when every URL it accepted ended; one stopped at
    max_pages leaves the rest pending by design)."""
    pending = sum(len(store.frontier(crawl_id, tp, "pending")) for tp in touchpoints)
    if not pending:
        return "complete"
    logger.warning("crawl %d ended with %d accepted URLs still pending: it is left 'interrupted'; "
                   "'touchaudit crawl --resume' fetches them", crawl_id, pending)
    return "interrupted"


def _render_with_chromium(settings: Settings) -> None:
    """Fetch the touchpoint's pages through scrapy-playwright and a local Chromium (the pages a
    touchpoint's ``render`` names ask for it in their request meta)."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        raise TouchauditError("a touchpoint sets 'render', which needs scrapy-playwright: "
                         "pip install 'touchaudit[render]'") from None
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="cmdline")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }, priority="cmdline")


def _last_to_leave(config: Config) -> bool:
    from crawler import scale

    return scale.leave(config)

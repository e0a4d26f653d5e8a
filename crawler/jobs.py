"""A crawl run as Scrapy jobs (`scrapy crawl`, Scrapyd): each job one touchpoint's spider.

`touchaudit crawl` runs every touchpoint in one process and finishes the crawl itself. A Scrapyd
job runs one spider, so jobs that share ``TOUCHAUDIT_CRAWL_NAME`` add their touchpoints to one
crawl in the store (:func:`crawl_of`, asked by the pipelines), and the job that closes last
finishes it, audits it and writes the report (:class:`CrawlJob`): the same outputs as
`touchaudit run`, so a scheduled Scrapyd crawl ends with its report and history.

Settings (``-s`` for `scrapy crawl`, ``setting=`` in Scrapyd's schedule.json):

- ``TOUCHAUDIT_CONFIG``: the touchaudit.yaml (an absolute path under Scrapyd);
- ``TOUCHAUDIT_CRAWL_NAME``: jobs of one crawl share it; without it a job is a crawl of its own;
- ``TOUCHAUDIT_TOUCHPOINTS``: the touchpoints a named crawl waits for (default: all configured);
- ``TOUCHAUDIT_AUDIT_ON_CLOSE``: audit and report when the crawl finishes (default True);
- ``TOUCHAUDIT_AUDIT_AND_REPORT``: what does it (default ``workflow.audit_and_report``);
- ``TOUCHAUDIT_REPORT_DIR``: where the outputs go (default: touchaudit-out beside the config);
- ``TOUCHAUDIT_REPORT_FORMATS``: html, json, sarif, csv (default: html, json, sarif);
- ``TOUCHAUDIT_RESUME``: continue this touchpoint's part of the latest crawl of the same name and
  config that did not complete, from the store's frontier (crawler/frontier.py).

A job given Scrapy's ``JOBDIR`` records its crawl there: run again with the same JOBDIR, Scrapy
continues its request queue and the job continues the same crawl (not a new one that would hold
only the pages fetched after the stop, and call the rest "fixed").
"""

from __future__ import annotations

import logging
import os
import socket
import weakref
from dataclasses import dataclass
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from audit.config import Config, load_config
from audit.errors import TouchauditError
from audit.store import Store

logger = logging.getLogger(__name__)

# Finish reasons of a spider that did all it was asked to: ran out of URLs, or reached a limit
# of the config (max_pages closes the spider with "max_pages").
COMPLETE_REASONS = frozenset({"finished", "max_pages", "closespider_itemcount", "closespider_pagecount"})


def config_in(settings: Settings) -> Config:
    """The config a crawl runs: handed over by `touchaudit crawl`, else read from its path."""
    return settings.get("TOUCHAUDIT_CONFIG_OBJECT") or load_config(settings.get("TOUCHAUDIT_CONFIG"))


def config_of(crawler: Crawler) -> Config:
    return config_in(crawler.settings)


def store_path(settings: Settings) -> Path:
    """The store file of a crawl: TOUCHAUDIT_STORE, else the config's ``store``."""
    return Path(settings.get("TOUCHAUDIT_STORE") or config_in(settings).store)


def job_id(spider: Spider | None) -> str:
    """Scrapyd's job id (its ``_job`` spider argument), else this process."""
    return getattr(spider, "_job", None) or os.environ.get("SCRAPY_JOB") or \
        f"{socket.gethostname()}:{os.getpid()}"


JOBDIR_CRAWL = "touchaudit-crawl"  # in a JOBDIR: the id of the crawl the job stores into


@dataclass(frozen=True)
class JobCrawl:
    """The crawl a spider stores its documents in, and whether it continues a stopped one."""

    id: int
    resumed: bool


_CRAWLS: weakref.WeakKeyDictionary[Crawler, JobCrawl] = weakref.WeakKeyDictionary()


def crawl_of(crawler: Crawler, touchpoint: str) -> JobCrawl:
    """The crawl of this crawler, decided once: the pipelines that ask all get the same answer.

    Under `touchaudit crawl` it is TOUCHAUDIT_CRAWL_ID. A Scrapy job continues the crawl its
    JOBDIR recorded, or with TOUCHAUDIT_RESUME the latest one it did not complete; otherwise it
    joins the named crawl or starts one.
    """
    settings = crawler.settings
    given = settings.getint("TOUCHAUDIT_CRAWL_ID", 0)
    if given:
        return JobCrawl(given, settings.getbool("TOUCHAUDIT_RESUME"))
    if crawler not in _CRAWLS:
        with Store(store_path(settings)) as store:
            _CRAWLS[crawler] = _join(crawler, store, touchpoint)
    return _CRAWLS[crawler]


def _join(crawler: Crawler, store: Store, touchpoint: str) -> JobCrawl:
    settings = crawler.settings
    config = config_of(crawler)
    name = settings.get("TOUCHAUDIT_CRAWL_NAME", "")
    job = job_id(crawler.spider)
    marker = Path(settings["JOBDIR"]) / JOBDIR_CRAWL if settings.get("JOBDIR") else None
    resumed: int | None = None
    if marker is not None and marker.exists():
        recorded = int(marker.read_text(encoding="utf-8"))
        if store.job_state(recorded, touchpoint) == "complete":
            logger.error("JOBDIR %s belongs to crawl %d, whose %s part is complete: Scrapy skips "
                         "every request it saw then; give each crawl a JOBDIR of its own",
                         marker.parent, recorded, touchpoint)
        else:
            resumed = recorded
    elif settings.getbool("TOUCHAUDIT_RESUME"):
        resumed = store.resumable_job(name, touchpoint, config.text)
        if resumed is None:
            logger.warning("no stopped %s job of crawl name %r in %s to resume; starting a new crawl",
                           touchpoint, name, config.store)
    if resumed is not None:
        store.resume_job(resumed, touchpoint, job)
        logger.info("crawl %d: %s resumed by job %s", resumed, touchpoint, job)
        crawl = JobCrawl(resumed, True)
    else:
        crawl = JobCrawl(store.join_crawl(name, touchpoint, job, str(config.path), config.text), False)
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(crawl.id), encoding="utf-8")
    return crawl


def expected_touchpoints(crawler: Crawler, config: Config, touchpoint: str) -> list[str]:
    """The touchpoints whose jobs a crawl waits for before it is finished and audited."""
    if not crawler.settings.get("TOUCHAUDIT_CRAWL_NAME"):
        return [touchpoint]
    return crawler.settings.getlist("TOUCHAUDIT_TOUCHPOINTS") or [t.name for t in config.touchpoints]


def check_touchpoints(crawler: Crawler, config: Config) -> None:
    """A TOUCHAUDIT_TOUCHPOINTS name the config lacks would make the crawl wait forever."""
    known = [t.name for t in config.touchpoints]
    unknown = [n for n in crawler.settings.getlist("TOUCHAUDIT_TOUCHPOINTS") if n not in known]
    if unknown:
        raise ValueError(f"TOUCHAUDIT_TOUCHPOINTS: {', '.join(unknown)} is not a touchpoint of "
                         f"{config.path} (it has {', '.join(known)})")


class CrawlJob:
    """On spider close: end this job's part of the crawl; the last job audits and reports.

    Not enabled for `touchaudit crawl` (TOUCHAUDIT_CRAWL_ID set): the CLI finishes its own crawl.
    A failing audit (a broken rule file) is logged with its message and counted in the stats;
    the crawl stays stored, so `touchaudit audit --crawl N` runs it again after the fix.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlJob:
        if crawler.settings.getint("TOUCHAUDIT_CRAWL_ID", 0):
            # The crawl is run by `touchaudit crawl`, which finishes it. No message:
            # Scrapy logs a NotConfigured with one as a WARNING on every run.
            raise NotConfigured
        check_touchpoints(crawler, config_of(crawler))
        ext = cls(crawler)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def closed(self, spider: Spider, reason: str) -> None:
        # After the pipelines closed: every document of this job is committed.
        stats = self.crawler.stats
        crawl_id = stats.get_value("touchaudit/crawl_id")
        if not crawl_id:
            return  # the store pipeline never opened (the spider failed to start)
        config = config_of(self.crawler)
        touchpoint = spider.tp.name
        expected = expected_touchpoints(self.crawler, config, touchpoint)
        state = "complete" if reason in COMPLETE_REASONS else "interrupted"
        with Store(config.store) as store:
            final = store.finish_job(crawl_id, touchpoint, state, expected)
            ended = {r["touchpoint"] for r in store.crawl_jobs(crawl_id) if r["state"] != "running"}
        if final is None:
            waiting = [t for t in expected if t not in ended]
            logger.info("crawl %d: %s %s; waiting for %s", crawl_id, touchpoint, state,
                        ", ".join(waiting) or "another job to finish it")
            return
        stats.set_value("touchaudit/crawl_state", final)
        if self.crawler.settings.getbool("TOUCHAUDIT_AUDIT_ON_CLOSE", True):
            self.report(config, crawl_id)

    def report(self, config: Config, crawl_id: int) -> None:
        from audit.outputs import exit_code
        from audit.store import RunStore

        settings = self.crawler.settings
        # What comes after the crawl is named by a setting (workflow.audit_and_report), never
        # imported: the crawler stage does not reach forward into the stages above it.
        audit_and_report = load_object(settings.get("TOUCHAUDIT_AUDIT_AND_REPORT",
                                                    "workflow.audit_and_report"))
        out_dir = Path(settings.get("TOUCHAUDIT_REPORT_DIR") or config.root / "touchaudit-out")
        formats = settings.getlist("TOUCHAUDIT_REPORT_FORMATS") or None
        try:
            result = audit_and_report(config, crawl_id, out_dir, formats)
        except TouchauditError as exc:
            self.crawler.stats.set_value("touchaudit/audit_error", str(exc))
            logger.error("crawl %d is stored, but its audit failed:\n%s", crawl_id, exc)
            return
        stats = self.crawler.stats
        stats.set_value("touchaudit/run_id", result.audit.run_id)
        for fmt, path in result.written.items():
            stats.set_value(f"touchaudit/report/{fmt}", str(path))
        with Store(config.store) as store:
            failing = exit_code(RunStore(store).findings(result.audit.run_id), config.fail_on)
        # Findings at or above the config's fail_on are what `touchaudit run` exits 1 for: a
        # warning in the job's log; otherwise the summary is INFO.
        log = logger.warning if failing else logger.info
        log("%s; outputs in %s", result.audit.summary(), out_dir)

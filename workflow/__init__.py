"""The whole job, above the stages: crawl (crawler/) -> audit (audit/) -> report (audit/outputs/).

`touchaudit run` and `touchaudit demo` call :func:`run_all`; a crawl run as Scrapy jobs calls
:func:`audit_and_report` when its last job closes (named by the crawler's
``TOUCHAUDIT_AUDIT_AND_REPORT`` setting, so the crawler never imports what comes after it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audit.config import Config
from audit.jobs import DEFAULT_FORMATS, AuditResult, rules_for, run_audit


@dataclass
class RunResult:
    crawl_id: int
    audit: AuditResult
    written: dict[str, Path]
    contradictions: list[str] = field(default_factory=list)  # the largest, a plain line each
    more: int = 0  # how many contradictions beyond those lines


def run_all(config: Config, out_dir: Path, formats: Iterable[str] | None = None,
            model: str | None = None, jobs: int = 1) -> RunResult:
    """Crawl, audit and report: the whole job behind `touchaudit run` and `touchaudit demo`."""
    from crawler.run import run_crawl  # Scrapy and its reactor only when a crawl runs

    rules_for(config)  # a broken rule file stops the job before the crawl, not after
    crawl_id = run_crawl(config)
    return audit_and_report(config, crawl_id, out_dir, formats, model, jobs)


def audit_and_report(config: Config, crawl_id: int, out_dir: Path, formats: Iterable[str] | None = None,
                     model: str | None = None, jobs: int = 1) -> RunResult:
    """Audit a stored crawl and write its outputs: the end of `run`, and of a Scrapyd crawl."""
    from audit.outputs import write_outputs

    result = run_audit(config, crawl_id=crawl_id, model=model, jobs=jobs)
    written = write_outputs(config.store, out_dir, tuple(formats or DEFAULT_FORMATS), run_id=result.run_id)
    lines = contradictions(config.store, result.run_id)
    return RunResult(crawl_id, result, written, lines[:3], max(0, len(lines) - 3))


def contradictions(store: str | Path, run_id: int) -> list[str]:
    """Every contradiction of a run, largest first, a plain line each (audit/outputs/groups.py)."""
    from audit.outputs.groups import contradiction_lines
    from audit.store import RunStore, Store

    with Store(store) as db:
        runs = RunStore(db)
        return contradiction_lines(runs.findings(run_id), runs.observations(run_id), n=10**6)

"""The jobs behind the CLI, importable: audit a stored crawl (and, later, report and run).

Each job reads only the store and the files it is given, so re-auditing after a rule edit
never re-crawls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit import history
from audit import ignore as ignore_list
from audit.auditor import Auditor, Tally
from audit.chrome import learn_texts as learn_chrome
from audit.config import Config
from audit.findings import Finding
from audit.rules import RuleSet, load_rules
from audit.store import RunStore, Store

logger = logging.getLogger(__name__)
FLUSH = 500  # findings written per transaction
DEFAULT_FORMATS = ("html", "json", "sarif")


@dataclass
class AuditResult:
    run_id: int
    crawl_id: int
    documents: int
    words: int
    seconds: float
    totals: dict[str, dict[str, int]]

    def summary(self) -> str:
        """One line: what was audited and the findings by severity."""
        sev = self.totals.get("severity", {})
        ignored = self.totals.get("status", {}).get("ignored", 0)
        parts = ", ".join(f"{sev.get(s, 0)} {s}" for s in ("error", "warning", "info"))
        return (f"run {self.run_id} of crawl {self.crawl_id}: {self.documents} documents, "
                f"{self.words} words in {self.seconds:.1f}s: {parts}, {ignored} ignored")


def rules_for(config: Config) -> RuleSet:
    """The config's rule files, checked against its touchpoints (InputError on problems)."""
    return load_rules(config.rules, [t.name for t in config.touchpoints], root=config.root)


def default_ignore_path(config: Config) -> Path | None:
    if config.ignore is not None:
        return config.ignore
    for path in config.rules:
        folder = path if path.is_dir() else path.parent
        for name in ("ignore.yaml", "ignore.yml"):
            if (folder / name).exists():
                return folder / name
    return None


def run_audit(config: Config, crawl_id: int | None = None, model: str | None = None,
              jobs: int = 1) -> AuditResult:
    """Audit a stored crawl (the latest by default) and store the run's findings; ``jobs``
    processes share the documents (audit/parallel.py), with the same findings as one."""
    ruleset = rules_for(config)
    ignores = ignore_list.load_ignore(default_ignore_path(config))
    started = time.perf_counter()
    with Store(config.store) as store:
        crawl = store.crawl(crawl_id) if crawl_id is not None else _crawl_to_audit(store)
        runs = RunStore(store)
        previous = _latest_finished(runs, crawl["config_hash"])
        earlier = runs.findings(previous) if previous else []
        before = {f.fingerprint for f in earlier}
        present: set[str] = set()
        run_id = runs.start_run(crawl["id"], crawl["config_hash"], ruleset.digest)
        # One read of the crawl first: the blocks its pages repeat are template chrome.
        chrome = learn_chrome(store.iter_texts(crawl["id"]))
        auditor = Auditor(ruleset, model=model, phone_region=config.phone_region, chrome=chrome)
        tally = Tally()
        batch: list[Finding] = []

        def flush() -> None:
            ignore_list.apply(batch, ignores)
            for f in batch:
                if f.status != "ignored":
                    f.status = "open" if f.fingerprint in before else "new"
            runs.add_findings(run_id, batch)
            for f in batch:
                tally.add(f)
                present.add(f.fingerprint)
            batch.clear()

        if jobs > 1:
            from audit.parallel import audit_in_parallel

            found = audit_in_parallel(auditor, config.store, crawl["id"], jobs)
        else:
            found = auditor.audit(store.iter_documents(crawl["id"]))
        for finding in found:
            batch.append(finding)
            if len(batch) >= FLUSH:
                flush()
        batch.extend(auditor.finish())
        flush()
        runs.add_observations(run_id, auditor.facts.observations if auditor.facts else [])
        summary = tally.as_dict()
        if previous:
            fixed, not_rechecked = history.gone(earlier, present, store.document_keys(crawl["id"]))
            summary.setdefault("status", {}).update(fixed=len(fixed), not_rechecked=len(not_rechecked))
        runs.finish_run(run_id, summary)
    return AuditResult(run_id, crawl["id"], auditor.documents, auditor.words,
                       time.perf_counter() - started, summary)


def _crawl_to_audit(store: Store) -> Any:
    """The latest crawl, unless it is still running (or its process was killed): then the latest
    complete one, said so on the log; a running crawl is audited only when named (--crawl)."""
    latest = store.crawl()
    if latest["state"] != "running":
        return latest
    done = [r for r in store.crawls() if r["state"] == "complete"]
    if not done:
        logger.warning("crawl %d is still running (or its process was killed) and no crawl is complete: "
                       "auditing what it has stored so far", latest["id"])
        return latest
    logger.warning("crawl %d is still running (or its process was killed): auditing crawl %d, the latest "
                   "complete one; name it with --crawl %d to audit what it has so far", latest["id"],
                   done[-1]["id"], latest["id"])
    return done[-1]


def _latest_finished(runs: RunStore, config_hash: str) -> int | None:
    rows = [r for r in runs.runs() if r["config_hash"] == config_hash and r["finished_at"]]
    return rows[-1]["id"] if rows else None


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
    from crawler.run import run_crawl

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

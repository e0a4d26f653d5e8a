"""The audit stage's job: audit a stored crawl into a run of findings (crawl, audit and report
together are workflow/, above both stages).

It reads only the store and the files it is given, so re-auditing after a rule edit never
re-crawls.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit import history
from audit import ignore as ignore_list
from audit.auditor import Auditor, Tally
from audit.chrome import Chrome
from audit.chrome import learn_texts as learn_chrome
from audit.config import Config
from audit.findings import Finding
from audit.reaudit import Reaudit, audit_crawl, cache_key
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
    reaudit: Reaudit | None = None  # how many documents kept their results, and why

    def summary(self) -> str:
        """One line: what was audited and the findings by severity."""
        sev = self.totals.get("severity", {})
        ignored = self.totals.get("status", {}).get("ignored", 0)
        parts = ", ".join(f"{sev.get(s, 0)} {s}" for s in ("error", "warning", "info"))
        kept = (f" ({self.reaudit.kept} kept their results: {self.reaudit.reason})"
                if self.reaudit and self.reaudit.kept else "")
        return (f"run {self.run_id} of crawl {self.crawl_id}: {self.documents} documents{kept}, "
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
              jobs: int = 1, reuse: bool = True) -> AuditResult:
    """Audit a stored crawl (the latest by default) and store the run's findings; ``jobs``
    processes share the documents (audit/parallel.py), with the same findings as one. With
    ``reuse``, documents no rule edited since the crawl's last audit can touch keep their
    results (audit/reaudit.py)."""
    ruleset = rules_for(config)
    ignores = ignore_list.load_ignore(default_ignore_path(config))
    started = time.perf_counter()
    with Store(config.store) as store:
        crawl = store.crawl(crawl_id) if crawl_id is not None else _crawl_to_audit(store)
        runs = RunStore(store)
        previous = _latest_finished(runs, crawl["config_hash"])
        before = runs.fingerprints(previous) if previous else set()
        present: set[str] = set()
        run_id = runs.start_run(crawl["id"], crawl["config_hash"], ruleset.digest)
        # One read of the crawl first: the blocks its pages repeat are template chrome.
        chrome = _chrome(str(config.store), os.stat(config.store).st_ino, crawl["id"], crawl["started_at"],
                         crawl["state"], store.document_span(crawl["id"]))
        auditor = Auditor(ruleset, model=model, phone_region=config.phone_region, chrome=chrome)
        tally = Tally()
        batch: list[Finding] = []
        reaudit = Reaudit()

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
        elif reuse:
            key = cache_key(crawl, store.document_span(crawl["id"]), model, config.phone_region)
            found = audit_crawl(auditor, ruleset, store, crawl["id"], key, reaudit)
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
            earlier = runs.findings(previous, absent_from=present)  # only what is gone is read
            fixed, not_rechecked = history.gone(earlier, present, store.document_keys(crawl["id"]))
            summary.setdefault("status", {}).update(fixed=len(fixed), not_rechecked=len(not_rechecked))
        runs.finish_run(run_id, summary)
    return AuditResult(run_id, crawl["id"], auditor.documents, auditor.words,
                       time.perf_counter() - started, summary, reaudit if reuse and jobs == 1 else None)


@functools.lru_cache(maxsize=2)
def _chrome(store_path: str, inode: int, crawl_id: int, started: str, state: str,
            span: tuple[int, int]) -> Chrome:
    """The crawl's template chrome, learnt once per crawl in a process that audits it again and
    again (``audit --watch``): its documents decide it (``span`` changes when one is added; a
    store made anew at the same path is another file)."""
    with Store(store_path) as store:
        return learn_chrome(store.iter_texts(crawl_id))


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

"""The one view model every output format renders: ``ReportData``, read from the store only.

Outputs never reach back into the crawl or the rules: ``load_report`` reads the run, its crawl,
its findings and observations, and the previous run of the same config (for ``fixed``), and
precomputes what more than one format needs (totals, the fact matrix, the history trend).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from audit import __version__
from audit.documents import Failure
from audit.errors import StoreError
from audit.findings import FINDING_KINDS, SEVERITY_RANK, Finding, Observation
from audit.history import gone
from audit.outputs.facts import FactMatrix, build_matrix
from audit.store import RunStore, Store


@dataclass
class RunInfo:
    id: int
    crawl_id: int
    started_at: str
    finished_at: str | None
    config_hash: str
    rules_hash: str
    previous_run_id: int | None


@dataclass
class CrawlInfo:
    id: int
    started_at: str
    finished_at: str | None
    state: str
    config_path: str


@dataclass
class TouchpointSummary:
    """What was audited of one touchpoint: documents by kind, failures by reason."""

    name: str
    documents: int = 0
    failures: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    failure_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Totals:
    """Counts of the run's findings that are not ignored (a finding counts once per touchpoint)."""

    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_touchpoint: dict[str, int] = field(default_factory=dict)
    by_touchpoint_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)  # every status, fixed included


@dataclass
class HistoryPoint:
    """One run of the same config, for the trend chart."""

    run_id: int
    started_at: str
    total: int
    by_severity: dict[str, int]


@dataclass
class ReportData:
    tool_version: str
    run: RunInfo
    crawl: CrawlInfo
    touchpoints: list[TouchpointSummary]
    failures: list[Failure]
    findings: list[Finding]  # this run's: new, open or ignored
    fixed: list[Finding]  # the previous run's findings that are gone now
    # The previous run's findings that are gone, but on a page this crawl did not store (it
    # failed, was out of reach, or the crawl was interrupted): not seen again, nor seen fixed.
    not_rechecked: list[Finding]
    totals: Totals
    observations: list[Observation]
    fact_matrix: FactMatrix
    history: list[HistoryPoint]

    @property
    def all_findings(self) -> list[Finding]:
        """This run's findings then the fixed ones: what the report lists."""
        return self.findings + self.fixed


def load_report(store_path: str | Path, run_id: int | None = None) -> ReportData:
    """Read one audit run (the latest finished one by default) and everything a report shows."""
    if not Path(store_path).is_file():  # Store() would create an empty file
        raise StoreError(f"{store_path}: no such store; run 'touchaudit crawl' and 'touchaudit audit' first")
    with Store(store_path) as store:
        runs = RunStore(store)
        row = runs.run(run_id)
        prev = runs.previous_run(row["id"])
        run = RunInfo(row["id"], row["crawl_id"], row["started_at"], row["finished_at"],
                      row["config_hash"], row["rules_hash"], prev["id"] if prev else None)
        c = store.crawl(row["crawl_id"])
        crawl = CrawlInfo(c["id"], c["started_at"], c["finished_at"], c["state"], c["config_path"])
        failures = store.failures(crawl.id)
        findings = sort_findings(runs.findings(run.id))
        fixed, not_rechecked = _gone(runs, prev["id"], findings, store.document_keys(crawl.id)) \
            if prev else ([], [])
        observations = runs.observations(run.id)
        touchpoints = _touchpoints(store, crawl.id, failures, findings)
        history = _history(store, run)
    return ReportData(
        tool_version=__version__,
        run=run,
        crawl=crawl,
        touchpoints=touchpoints,
        failures=failures,
        findings=findings,
        fixed=fixed,
        not_rechecked=not_rechecked,
        totals=totals(findings, fixed),
        observations=observations,
        fact_matrix=build_matrix(observations, findings, [t.name for t in touchpoints]),
        history=history,
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Kind order (term, language, fact), then worst first, then rule: the order a reader scans."""
    kind_order = {k: i for i, k in enumerate(FINDING_KINDS)}
    return sorted(findings, key=lambda f: (kind_order.get(f.kind, 99),
                                           -SEVERITY_RANK.get(f.severity, -1), f.rule))


def _gone(runs: RunStore, prev_id: int, findings: list[Finding],
          crawled: set[tuple[str, str]]) -> tuple[list[Finding], list[Finding]]:
    present = {f.fingerprint for f in findings}
    fixed, not_rechecked = gone(runs.findings(prev_id, absent_from=present), present, crawled)
    return sort_findings(fixed), sort_findings(not_rechecked)


def finding_touchpoints(f: Finding) -> list[str]:
    return sorted({loc.touchpoint for loc in f.locations})


def totals(findings: list[Finding], fixed: list[Finding]) -> Totals:
    t = Totals()
    by_status: Counter[str] = Counter(f.status for f in findings + fixed)
    t.by_status = dict(by_status)
    counted = [f for f in findings if f.status != "ignored"]
    t.findings = len(counted)
    t.by_severity = dict(Counter(f.severity for f in counted))
    t.by_kind = dict(Counter(f.kind for f in counted))
    tp_kind: dict[str, Counter[str]] = {}
    for f in counted:
        for tp in finding_touchpoints(f):
            tp_kind.setdefault(tp, Counter())[f.kind] += 1
    t.by_touchpoint_kind = {tp: dict(c) for tp, c in sorted(tp_kind.items())}
    t.by_touchpoint = {tp: sum(c.values()) for tp, c in t.by_touchpoint_kind.items()}
    return t


def _touchpoints(store: Store, crawl_id: int, failures: list[Failure],
                 findings: list[Finding]) -> list[TouchpointSummary]:
    tps: dict[str, TouchpointSummary] = {}

    def get(name: str) -> TouchpointSummary:
        return tps.setdefault(name, TouchpointSummary(name))

    for tp, kind, n in store.db.execute(
        "SELECT touchpoint, kind, count(*) FROM documents WHERE crawl_id=? GROUP BY touchpoint, kind",
        (crawl_id,),
    ):
        s = get(tp)
        s.kinds[kind] = n
        s.documents += n
    for f in failures:
        s = get(f.touchpoint)
        s.failures += 1
        s.failure_reasons[f.reason] = s.failure_reasons.get(f.reason, 0) + 1
    for f in findings:
        for tp in finding_touchpoints(f):
            get(tp)
    return [tps[k] for k in sorted(tps)]


def _history(store: Store, run: RunInfo) -> list[HistoryPoint]:
    """Finished runs of the same config up to this one, oldest first, with their totals."""
    rows = store.db.execute(
        "SELECT id, started_at FROM runs WHERE config_hash=? AND id<=? "
        "AND (finished_at IS NOT NULL OR id=?) ORDER BY id",
        (run.config_hash, run.id, run.id),
    ).fetchall()
    out = []
    for r in rows:
        sev = {s: n for s, n in store.db.execute(
            "SELECT severity, count(*) FROM findings WHERE run_id=? AND status!='ignored' "
            "GROUP BY severity", (r["id"],))}
        out.append(HistoryPoint(r["id"], r["started_at"], sum(sev.values()), sev))
    return out


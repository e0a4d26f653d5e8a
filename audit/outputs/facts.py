"""Fact values and the fact matrix: facts down, touchpoints across, each cell the values found.

A row is one (fact, qualifier). Its values come from the run's observations; when a fact finding
names a (fact, qualifier) that has no stored observations, its ``extra["groups"]`` stand in. A row
conflicts when it has more than one distinct value, or a fact finding exists for it, or a value
differs from the finding's expected value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from audit.findings import Finding, Location, Observation, value_key

_LOCATION_FIELDS = {f.name for f in fields(Location)}


@dataclass
class FactValue:
    """One distinct normalized value: how it reads, how often, as written, and where."""

    value: Any
    display: str
    count: int = 0
    texts: list[str] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    differs: bool = False  # not the expected (or majority) value of a conflicting row
    whys: list[str] = field(default_factory=list)  # why it was read as the fact (or is history)
    reasons: list[str] = field(default_factory=list)  # per location, when known: why it was read

    @property
    def key(self) -> str:
        return value_key(self.value)

    @property
    def touchpoint_pages(self) -> dict[str, int]:
        """On how many pages of each touchpoint the value is stated, most first."""
        pages: dict[str, set[str]] = {}
        for loc in self.locations:
            pages.setdefault(loc.touchpoint, set()).add(loc.url)
        return dict(sorted(((tp, len(u)) for tp, u in pages.items()), key=lambda x: (-x[1], x[0])))

    def read_as(self, i: int) -> str:
        """Why the value's ``i``-th location was read as the fact (or is history)."""
        return self.reasons[i] if i < len(self.reasons) else "; ".join(self.whys)


@dataclass
class FactRow:
    fact: str
    qualifier: str
    conflict: bool
    expected: str | None
    values: list[FactValue]  # across all touchpoints, majority first
    cells: dict[str, list[FactValue]]  # touchpoint -> values found there
    rule: str | None = None
    severity: str | None = None
    history: list[FactValue] = field(default_factory=list)  # read, never compared


@dataclass
class FactMatrix:
    touchpoints: list[str]
    rows: list[FactRow]


def location_from(d: dict[str, Any]) -> Location:
    """A Location from a dict in ``extra``, ignoring keys this version does not know."""
    return Location(**{k: v for k, v in d.items() if k in _LOCATION_FIELDS})


def fact_key(f: Finding) -> tuple[str, str]:
    return str(f.extra.get("fact") or f.rule), str(f.extra.get("qualifier") or "")


def _group(pairs: list[tuple[Any, str, str, Location, str]]) -> list[FactValue]:
    """(value, display, text, location, why) -> distinct values, majority first, then by display."""
    by_key: dict[str, FactValue] = {}
    for value, display, text, loc, why in pairs:
        fv = by_key.setdefault(value_key(value), FactValue(value, display or value_key(value)))
        fv.count += 1
        if text not in fv.texts:
            fv.texts.append(text)
        if why and why not in fv.whys:
            fv.whys.append(why)
        fv.locations.append(loc)
        fv.reasons.append(why)
    return sorted(by_key.values(), key=lambda v: (-v.count, v.display))


def observation_values(observations: list[Observation], history: bool = False) -> list[FactValue]:
    return _group([(o.value, o.display, o.text, o.location, o.history if history else o.why)
                   for o in observations])


def group_values(groups: list[dict[str, Any]]) -> list[FactValue]:
    """A fact finding's ``extra["groups"]`` as FactValues."""
    out = []
    for g in groups:
        locs = [location_from(d) for d in g.get("locations", [])]
        value = g.get("value")
        texts = list(dict.fromkeys(loc.text for loc in locs))
        out.append(FactValue(value, str(g.get("display") or value_key(value)),
                             int(g.get("count") or len(locs)), texts, locs, whys=list(g.get("why") or [])))
    return sorted(out, key=lambda v: -v.count)


def finding_values(f: Finding, by_fact: dict[tuple[str, str], list[Observation]]) -> list[FactValue]:
    """The observed values of a fact finding: its groups, else the observations of its fact."""
    if f.extra.get("groups"):
        values = group_values(f.extra["groups"])
    else:
        values = observation_values(by_fact.get(fact_key(f), []))
    _mark_differs(values, f.expected)
    return values


def _mark_differs(values: list[FactValue], expected: str | None) -> None:
    if expected:
        for v in values:
            v.differs = expected not in (v.display, v.key)
    else:
        for v in values[1:]:
            v.differs = True


def build_matrix(observations: list[Observation], findings: list[Finding],
                 touchpoints: list[str]) -> FactMatrix:
    """One row per (fact, qualifier), in fact order; cells per touchpoint."""
    by_fact: dict[tuple[str, str], list[Observation]] = {}
    past: dict[tuple[str, str], list[Observation]] = {}
    for o in observations:
        (past if o.history else by_fact).setdefault((o.fact, o.qualifier), []).append(o)
    fact_findings = {fact_key(f): f for f in findings if f.kind == "fact"}
    rows = []
    for key in sorted(set(by_fact) | set(fact_findings) | set(past)):
        finding = fact_findings.get(key)
        if key in by_fact:
            values = observation_values(by_fact[key])
        else:
            values = finding_values(finding, by_fact) if finding else []
        expected = finding.expected if finding else None
        conflict = len(values) > 1 or finding is not None or (
            expected is not None and any(expected not in (v.display, v.key) for v in values))
        if conflict:
            _mark_differs(values, expected)
        rows.append(FactRow(key[0], key[1], conflict, expected, values, _cells(values),
                            finding.rule if finding else None, finding.severity if finding else None,
                            observation_values(past.get(key, []), history=True)))
    seen = Counter(tp for r in rows for tp in r.cells)
    tps = list(touchpoints) + sorted(tp for tp in seen if tp not in touchpoints)
    return FactMatrix([tp for tp in tps if tp in seen], rows)


def _cells(values: list[FactValue]) -> dict[str, list[FactValue]]:
    """Split each value's locations by touchpoint (a value keeps its ``differs`` mark)."""
    cells: dict[str, list[FactValue]] = {}
    for v in values:
        per_tp: dict[str, list[Location]] = {}
        for loc in v.locations:
            per_tp.setdefault(loc.touchpoint, []).append(loc)
        for tp, locs in per_tp.items():
            texts = list(dict.fromkeys(loc.text for loc in locs))
            cells.setdefault(tp, []).append(
                FactValue(v.value, v.display, len(locs), texts, locs, v.differs, v.whys,
                          [v.read_as(i) for i, loc in enumerate(v.locations) if loc.touchpoint == tp]))
    return cells

"""Findings as a team acts on them: one group per rule and wording, ordered by what to fix first.

Every occurrence of "Cloud-Sync" is one thing to fix, however many pages show it: findings of
the same rule with the same message (the rule's verdict on the same text found) become one
``Group`` with every place, the pages and touchpoints it reaches, and its worst severity. A fact
finding is a group of its own (its values are the evidence). ``fix_first`` orders groups by
severity, then reach (pages × touchpoints), then places.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from audit.findings import SEVERITY_RANK, Finding, Location, Observation
from audit.outputs.facts import FactValue, fact_key, finding_values


@dataclass
class Group:
    """Findings of one rule with the same wording: one thing to fix, wherever it is."""

    id: str  # stable across runs for the same rule and wording (a link target, a JSON key)
    kind: str
    rule: str
    severity: str  # the worst of its findings
    message: str
    expected: str | None
    text: str  # the text found, as written ("" when the places differ, as in a consistency rule)
    findings: list[Finding] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    pages: int = 0  # distinct pages, counting every page a repeated block is on
    touchpoints: dict[str, int] = field(default_factory=dict)  # touchpoint -> pages there
    sitewide: bool = False  # a repeated block of the site's template (chrome)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def places(self) -> int:
        return len(self.locations)

    @property
    def reach(self) -> int:
        return self.pages * max(1, len(self.touchpoints))

    @property
    def title(self) -> str:
        """"'Cloud-Sync' → 'CloudSync'" when the group has one wording and an expected form."""
        if self.kind != "fact" and self.text and self.expected and self.text != self.expected:
            return f"‘{self.text}’ → ‘{self.expected}’"
        return self.message

    @property
    def summary(self) -> str:
        """"34 places on 21 pages (website 18, emails 3)"."""
        most = sorted(self.touchpoints.items(), key=lambda x: (-x[1], x[0]))
        where = ", ".join(f"{tp} {n}" for tp, n in most)
        places = f"{self.places} place{'s' if self.places != 1 else ''}"
        pages = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        return f"{places} on {pages} ({where})" if where else places


def group_findings(findings: list[Finding]) -> list[Group]:
    """Groups in the order of their first finding (findings come sorted by kind, severity, rule)."""
    groups: dict[tuple[str, str, str], Group] = {}
    for f in findings:
        key = (f.kind, f.rule, f.fingerprint if f.kind == "fact" else f.message)
        g = groups.get(key)
        if g is None:
            digest = hashlib.sha1("\x1f".join(key).encode()).hexdigest()[:10]
            g = groups[key] = Group(f"g-{digest}", f.kind, f.rule, f.severity, f.message, f.expected,
                                    _text(f))
        g.findings.append(f)
        g.locations.extend(f.locations)
        if SEVERITY_RANK.get(f.severity, -1) > SEVERITY_RANK.get(g.severity, -1):
            g.severity = f.severity
        if g.text != _text(f):
            g.text = ""
    for g in groups.values():
        _reach(g)
    return list(groups.values())


def _text(f: Finding) -> str:
    texts = {loc.text for loc in f.locations}
    return texts.pop() if len(texts) == 1 else ""


def _reach(g: Group) -> None:
    pages: dict[str, set[str]] = {}
    for f in g.findings:
        repeated = f.extra.get("pages") or []
        for loc in f.locations:
            urls = repeated if repeated and loc.pages > 1 else [loc.url]
            pages.setdefault(loc.touchpoint, set()).update(urls)
            g.sitewide = g.sitewide or bool(loc.chrome)
    g.touchpoints = {tp: len(urls) for tp, urls in sorted(pages.items())}
    g.pages = sum(g.touchpoints.values())
    g.statuses = dict(Counter(f.status for f in g.findings))


def fix_first(groups: list[Group], n: int = 5) -> list[Group]:
    """The groups to fix first: worst severity, then widest reach, then most places; ignored and
    fixed ones never."""
    live = [g for g in groups if any(f.status in ("new", "open") for f in g.findings)]
    return sorted(live, key=lambda g: (-SEVERITY_RANK.get(g.severity, -1), -g.reach, -g.places, g.rule))[:n]


@dataclass
class Contradiction:
    """A fact finding as the top of the report shows it: its values side by side."""

    group: Group
    fact: str
    qualifier: str
    expected: str | None
    values: list[FactValue]
    anchor: str  # the fact's panel, with every statement


def fact_anchor(fact: str, qualifier: str) -> str:
    return "fact-" + hashlib.sha1(f"{fact}\x1f{qualifier}".encode()).hexdigest()[:10]


def contradictions(groups: list[Group],
                   by_fact: dict[tuple[str, str], list[Observation]]) -> list[Contradiction]:
    """Every fact finding still to act on, widest reach first."""
    out = []
    seen: set[tuple[str, str]] = set()
    for g in groups:
        if g.kind != "fact" or all(f.status in ("fixed", "ignored") for f in g.findings):
            continue
        f = g.findings[0]
        fact, qualifier = fact_key(f)
        if (fact, qualifier) in seen:
            continue  # a rule with an expected value makes a finding per deviating value: one row
        seen.add((fact, qualifier))
        # A rule's own expected value (the finding names the deviation), not the majority that
        # a finding without one reports as its reference.
        expected = f.expected if "deviation" in f.extra else None
        values = finding_values(f, by_fact)
        out.append(Contradiction(g, fact, qualifier, expected, values, fact_anchor(fact, qualifier)))
    return sorted(out, key=lambda c: (-SEVERITY_RANK.get(c.group.severity, -1), -c.group.reach))


def contradiction_lines(findings: list[Finding], observations: list[Observation], n: int = 3) -> list[str]:
    """The ``n`` largest contradictions, one plain line each, for a terminal or a cron log:
    "trial-length: 14 days on 9 pages (emails, website) vs 30 days on 1 page (helpcenter)"."""
    by_fact: dict[tuple[str, str], list[Observation]] = {}
    for o in observations:
        by_fact.setdefault((o.fact, o.qualifier), []).append(o)
    lines = []
    for c in contradictions(group_findings(findings), by_fact)[:n]:
        said = []
        for v in c.values[:3]:
            pages = sum(v.touchpoint_pages.values())
            said.append(f"{v.display} on {pages} page{'s' if pages != 1 else ''} "
                        f"({', '.join(v.touchpoint_pages)})")
        more = f" and {len(c.values) - 3} more values" if len(c.values) > 3 else ""
        name = f"{c.fact} ({c.qualifier})" if c.qualifier else c.fact
        expected = f"; expected {c.expected}" if c.expected else ""
        lines.append(f"{name}: {' vs '.join(said)}{more}{expected}")
    return lines

"""findings.json: the stable, documented machine format (see docs/outputs.md).

``FORMAT_VERSION`` changes only when a field is removed or changes meaning; new fields may appear
in any version, so readers should ignore keys they do not know.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from audit.findings import Finding, Location, Observation
from audit.outputs.facts import FactMatrix, FactValue, fact_key, finding_values
from audit.outputs.groups import Group, fix_first, group_findings
from audit.outputs.jsonfile import write_json_file
from audit.outputs.model import ReportData
from audit.outputs.snippets import location_uri

FORMAT_VERSION = 2  # 2 added groups[] and fix_first[], then uri beside url; nothing of 1 changed


def location_json(loc: Location) -> dict[str, Any]:
    return {
        "touchpoint": loc.touchpoint, "url": loc.url, "uri": location_uri(loc.url), "title": loc.title,
        "region": loc.region,
        "start": loc.start, "end": loc.end, "text": loc.text,
        "snippet": loc.snippet, "snippet_start": loc.snippet_start,
        "headings": loc.headings, "chrome": loc.chrome or None, "pages": loc.pages,
    }


def value_json(v: FactValue) -> dict[str, Any]:
    return {
        "value": v.value, "display": v.display, "count": v.count, "texts": v.texts,
        "differs": v.differs, "locations": [location_json(loc) for loc in v.locations],
        "why": v.whys,
    }


def finding_json(f: Finding, by_fact: dict[tuple[str, str], list[Observation]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": f.kind, "rule": f.rule, "severity": f.severity, "message": f.message,
        "expected": f.expected, "status": f.status, "fingerprint": f.fingerprint,
        "locations": [location_json(loc) for loc in f.locations],
    }
    if f.extra.get("pages"):
        out["pages"] = f.extra["pages"]
    if f.kind == "fact":
        fact, qualifier = fact_key(f)
        out["fact"] = {"id": fact, "qualifier": qualifier,
                       "values": [value_json(v) for v in finding_values(f, by_fact)]}
    return out


def group_json(g: Group) -> dict[str, Any]:
    """A group: the findings of one rule and wording, by their fingerprints, and their reach."""
    return {"id": g.id, "kind": g.kind, "rule": g.rule, "severity": g.severity, "title": g.title,
            "message": g.message, "expected": g.expected, "text": g.text or None, "places": g.places,
            "pages": g.pages, "touchpoints": g.touchpoints, "sitewide": g.sitewide,
            "statuses": g.statuses, "findings": [f.fingerprint for f in g.findings]}


def observation_json(o: Observation) -> dict[str, Any]:
    return {"fact": o.fact, "qualifier": o.qualifier, "value": o.value,
            "display": o.to_dict()["display"], "text": o.text, "location": location_json(o.location),
            "why": o.why or None, "history": o.history or None}


def matrix_json(m: FactMatrix) -> dict[str, Any]:
    return {
        "touchpoints": m.touchpoints,
        "rows": [
            {"fact": r.fact, "qualifier": r.qualifier, "conflict": r.conflict, "expected": r.expected,
             "rule": r.rule, "severity": r.severity,
             "values": [value_json(v) for v in r.values],
             "cells": {tp: [value_json(v) for v in vals] for tp, vals in r.cells.items()},
             "history": [value_json(v) for v in r.history]}
            for r in m.rows
        ],
    }


def report_json(data: ReportData) -> dict[str, Any]:
    """The whole document as plain JSON values."""
    by_fact: dict[tuple[str, str], list[Observation]] = {}
    for o in data.observations:
        by_fact.setdefault((o.fact, o.qualifier), []).append(o)
    groups = group_findings(data.all_findings)
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "touchaudit", "version": data.tool_version},
        "run": asdict(data.run),
        "crawl": {
            **asdict(data.crawl),
            "touchpoints": [asdict(t) for t in data.touchpoints],
            "failures": [{"touchpoint": f.touchpoint, "url": f.url, "uri": location_uri(f.url),
                          "reason": f.reason, "status": f.status, "detail": f.detail} for f in data.failures],
        },
        "totals": asdict(data.totals),
        "findings": [finding_json(f, by_fact) for f in data.findings],
        "fixed": [finding_json(f, by_fact) for f in data.fixed],
        "not_rechecked": [finding_json(f, by_fact) for f in data.not_rechecked],
        "groups": [group_json(g) for g in groups],
        "fix_first": [g.id for g in fix_first(groups)],
        "observations": [observation_json(o) for o in data.observations],
        "fact_matrix": matrix_json(data.fact_matrix),
        "history": [asdict(h) for h in data.history],
    }


def write_json(data: ReportData, path: Path) -> Path:
    """findings.json: top-level keys and their lists indented, each finding, group… on one line."""
    return write_json_file(report_json(data), path, levels=2)

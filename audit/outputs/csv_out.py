"""findings.csv: one row per finding location, for spreadsheets.

Text comes from crawled pages, so a cell that a spreadsheet would read as a formula (starting
with ``= + - @``, tab or carriage return) is prefixed with ``'`` (the OWASP advice for CSV
injection). Fixed findings are included with status ``fixed``; a finding without locations gets
one row with empty location columns.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from audit.findings import Finding
from audit.outputs.model import ReportData

COLUMNS = ("status", "severity", "kind", "rule", "message", "expected", "touchpoint", "url", "title",
           "region", "start", "end", "text", "snippet", "fingerprint")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(findings: list[Finding]) -> Iterator[list[object]]:
    for f in findings:
        head = [f.status, f.severity, f.kind, f.rule, f.message, f.expected or ""]
        locs = f.locations or [None]
        for loc in locs:
            place = ([loc.touchpoint, loc.url, loc.title, loc.region, loc.start, loc.end, loc.text,
                      loc.snippet] if loc else ["", "", "", "", "", "", "", ""])
            yield [neutralize(v) for v in head + place + [f.fingerprint]]


def write_csv(data: ReportData, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows(data.all_findings))
    return path

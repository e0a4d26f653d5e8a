"""Dates, as ISO "2026-03-03" whether written "March 3, 2026", "3 March 2026" or "03/03/2026".

Only date-shaped text is considered (regexes below); ``dateutil`` then reads it. Left to find
dates on its own, dateutil's fuzzy mode would take "2026" or "3" for a date. A month and year with
no day ("March 2026") is "2026-03". A day and month with no year ("until 15 March") is read in
the page's year when the page is dated, and not at all otherwise.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateutil import parser

from audit.facts.base import Value, keep, parse_whole
from audit.options import Option

_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept",
          "Sep", "Oct", "Nov", "Dec"]
# Title case or capitals only: "may" and "march" are also words.
_MONTH = "|".join(sorted([*_NAMES, *(n.upper() for n in _NAMES)], key=len, reverse=True))
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"(?<![\d/.-]){_YEAR}([-/])(?:0?[1-9]|1[0-2])\1(?:[12]\d|3[01]|0?[1-9])(?![\d/-])")),
    ("numeric", re.compile(rf"(?<![\d/.-])\d{{1,2}}([/.])\d{{1,2}}\1{_YEAR}(?![/-]|\.\d)")),
    ("month_day", re.compile(rf"\b(?:{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}")),
    ("day_month", re.compile(rf"(?<![\d.,]){_DAY}\s+(?:of\s+)?(?:{_MONTH})\b\.?,?\s+{_YEAR}")),
    ("month", re.compile(rf"\b(?:{_MONTH})\b\.?,?\s+{_YEAR}")),
]
# A day and month with no year ("until 15 March", "on March 3rd"): read only in the page's year.
YEARLESS: list[tuple[str, re.Pattern[str]]] = [
    ("month_day", re.compile(rf"\b(?:{_MONTH})\.?\s+{_DAY}\b(?!,?\s+(?:19|20)\d\d|:\d)")),
    ("day_month", re.compile(rf"(?<![\d.,]){_DAY}\s+(?:of\s+)?(?:{_MONTH})\b(?!\.?,?\s+(?:19|20)\d\d)")),
]
_NO_DAY = datetime(1, 1, 1)


class Date:
    """Calendar dates: price changes, deadlines, policy effective dates."""

    name = "date"
    options = [
        Option("dayfirst", "bool", "read 03/04/2026 as 3 April (day first), not March 4", default=False),
    ]

    def find(self, text: str, **options: Any) -> list[Value]:
        dayfirst = bool(options.get("dayfirst"))
        found = []
        for kind, pattern in PATTERNS:
            for m in pattern.finditer(text):
                value = _read(m.group(0), kind, dayfirst)
                if value is not None:
                    found.append(Value(m.start(), m.end(), m.group(0), value, value))
        year = options.get("year")  # the page's year, when the page is dated (set by the audit)
        if year:
            for kind, pattern in YEARLESS:
                for m in pattern.finditer(text):
                    value = _read(f"{m.group(0)} {year}", kind, dayfirst)
                    if value is not None:
                        found.append(Value(m.start(), m.end(), m.group(0), value, value))
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        """One date; also a JSON-LD ISO datetime ("2026-03-03T10:00:00Z"), as its date."""
        v = parse_whole(self.find, text, **options)
        if v is None and isinstance(text, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}T\S+\s*", text):
            s = text.strip()
            try:
                value = parser.isoparse(s).date().isoformat()
            except ValueError:
                return None
            start = text.index(s)
            v = Value(start, start + len(s), s, value, value)
        return v

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def _read(written: str, kind: str, dayfirst: bool) -> str | None:
    """ISO text of a date-shaped string, or None if it is no real date (30 February)."""
    try:
        when = parser.parse(written, dayfirst=dayfirst and kind == "numeric", yearfirst=kind == "iso",
                            default=_NO_DAY)
    except (ValueError, OverflowError):
        return None
    return when.strftime("%Y-%m") if kind == "month" else when.date().isoformat()


TYPE = Date()

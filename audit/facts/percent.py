"""Percentages: "99.9%", "99.9 percent" and "99.9 per cent" are all ``99.9``.

The value is a float rounded to six places, so "99.90%" and "99.9%" compare equal without the
binary noise of arithmetic on floats.
"""

from __future__ import annotations

import re
from typing import Any

from audit.facts.base import Value, keep, parse_whole, preceded_by_range, ranges
from audit.options import Option

PERCENT = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:\s?%|\s(?i:percent|per cent)\b)"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class Percent:
    """Percentages: uptime, discounts, commissions."""

    name = "percent"
    options: list[Option] = []

    def find(self, text: str, **options: Any) -> list[Value]:
        found = []
        for m in PERCENT.finditer(text):
            if preceded_by_range(text, m.start()):
                continue
            value = number(m.group("num"))
            found.append(Value(m.start(), m.end(), m.group(0), value, display(value)))
        if options.get("ranges", True):
            found += ranges(self.find, text, **options)
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        """One percentage; a bare number ("99.9", a JSON-LD value) is taken as a percentage."""
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if isinstance(text, str) and _NUMBER.fullmatch(text.strip()):
            s = text.strip()
            value = number(s)
            return Value(0, len(s), s, value, display(value))
        return parse_whole(self.find, text, **options)

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def number(written: str) -> float:
    """ "99,9" (decimal comma) and "1,000" (thousands) as written in the wild -> a float."""
    if re.fullmatch(r"\d+,\d{1,2}", written):
        written = written.replace(",", ".")
    return round(float(written.replace(",", "")), 6)


def display(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".") + "%"


TYPE = Percent()

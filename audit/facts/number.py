"""Counts and sizes with their unit: "10k contacts" and "10,000 contact" are one value.

The value is ``{"number": 10000, "unit": "contact"}``: the unit is the word right after the
number, lower-cased and singular, so "GB"/"gb" and "contacts"/"contact" agree. The ``unit``
option looks for one unit only, and may be several words ("monthly pageviews").
"""

from __future__ import annotations

import re
from typing import Any

from audit.facts.base import Value, followed_by_range, keep, parse_whole, preceded_by_range, ranges
from audit.facts.money import CODES
from audit.options import Option

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"(?:(?P<mult>[kK]|M|bn)(?![A-Za-z])|\s(?P<multw>thousand|million|billion)\b)?"
NUMBER = re.compile(
    # Not part of a price, version, date, time, phone, code or percentage.
    rf"(?<![\w$€£¥₹.,:/#+-])(?<![$€£¥₹] )(?P<num>{_NUM}|(?i:unlimited)(?=\s))"
    rf"(?![.,:/-]?\d|\s?[%$€£¥₹]|\s*[-–/]\s*\d|[A-Za-z]*\d){_MULT}"
)
_WORD_UNIT = re.compile(r"\s?(?P<unit>[A-Za-z][A-Za-z-]*)")
_FACTOR = {"k": 1000, "K": 1000, "M": 1_000_000, "bn": 1_000_000_000, "thousand": 1000,
           "million": 1_000_000, "billion": 1_000_000_000}
# Words after a number that are not its unit ("10 of them", "3 and 4").
_NOT_UNITS = frozenset(
    "a an and are as at be by for from in into is it of on or per than that the then to up was were "
    "with percent am pm st nd rd th".split()
)
_CURRENCY_CODE = re.compile(rf"\b(?:{'|'.join(CODES)})\s?$")
_VERSION = re.compile(r"\b(?:version|ver|release|build|v)\.?\s*$", re.IGNORECASE)


class Number:
    """Plan limits and sizes: "10,000 contacts", "1.5 TB", "5 seats"."""

    name = "number"
    options = [
        Option("unit", "str", "only numbers with this unit (singular or plural, any case; may be words)"),
    ]

    def find(self, text: str, **options: Any) -> list[Value]:
        wanted = options.get("unit")
        unit_re = _unit_pattern(str(wanted)) if wanted else _WORD_UNIT
        found = []
        for m in NUMBER.finditer(text):
            before = text[max(0, m.start() - 10) : m.start()]
            if _VERSION.search(before) or _CURRENCY_CODE.search(before):
                continue
            if preceded_by_range(text, m.start()) or followed_by_range(text, m.end()):
                continue
            u = unit_re.match(text, m.end())
            unit = unit_name(str(wanted) if wanted else u.group("unit")) if u else None
            if (unit or "").upper() in CODES:
                continue  # "10 EUR" is money
            if unit in _NOT_UNITS:
                u, unit = None, None
            if wanted and unit is None or not wanted and m.group("num").lower() == "unlimited":
                continue  # "unlimited" only with the rule's unit: "unlimited access" is no count
            end = u.end() if u else m.end()
            value = {"number": _plain(m), "unit": unit}
            written_unit = u.group("unit") if u else ""
            found.append(Value(m.start(), end, text[m.start() : end], value, display(value, written_unit)))
        if options.get("ranges", True):
            found += ranges(self.find, text, **options)
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        return parse_whole(self.find, text, **options)

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def unit_name(written: str) -> str:
    """Lower-case, singular: "Contacts" -> "contact", "GB" -> "gb", "entries" -> "entry"."""
    words = written.lower().split()
    last = words[-1] if words else ""
    if len(last) > 3 and last.endswith("ies"):
        last = last[:-3] + "y"
    elif len(last) > 2 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def _unit_pattern(unit: str) -> re.Pattern[str]:
    words = unit_name(unit).split()
    last = re.escape(words[-1])
    last = rf"{last[:-1]}(?:y|ies)" if last.endswith("y") else rf"{last}(?:s|es)?"
    phrase = r"\s+".join([*(re.escape(w) for w in words[:-1]), last])
    # One describing word may stand between ("3 team members", "10 GB file storage" read with
    # unit "member", "GB"), never a function word ("10 forms per member" is not 10 members).
    modifier = (r"(?:(?!(?:per|of|a|an|the|each|every|for|in|on|and|or|to|with|more|less|than)\b)"
                r"[A-Za-z][\w-]*[ \t]+)?")
    return re.compile(rf"\s?{modifier}(?P<unit>{phrase})\b", re.IGNORECASE)


def _plain(m: re.Match[str]) -> int | float | str:
    if m.group("num").lower() == "unlimited":
        return "unlimited"  # a plan limit as pricing pages write it: equal only to itself
    n = float(m.group("num").replace(",", "")) * _FACTOR.get(m.group("mult") or m.group("multw") or "", 1)
    return int(n) if n.is_integer() else round(n, 6)


def display(value: dict[str, Any], written_unit: str = "") -> str:
    """ "10,000 contacts", "1.5 TB": the number normalized, the unit as first written."""
    n = value["number"]
    if isinstance(n, str):
        number = n  # "unlimited"
    else:
        number = f"{n:,}" if isinstance(n, int) else f"{n:,.6f}".rstrip("0").rstrip(".")
    unit = written_unit or value["unit"] or ""
    return f"{number} {unit}".strip()


TYPE = Number()

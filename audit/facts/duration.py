"""Durations: "14-day", "fourteen days", "two weeks" and "14 days" are all ``{"days": 14}``,
each shown as written.

Days, weeks, hours and minutes are exact multiples of one another, so they fold to the largest
whole unit of days, hours or minutes. Months and years are not a number of days ("1 month" is not
"30 days"), so they stay months (a year is 12 months). Business days are their own unit.
"""

from __future__ import annotations

import re
from typing import Any

from audit.facts.base import Value, keep, parse_whole, preceded_by_range, ranges
from audit.options import Option

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORDS: dict[str, int] = {w: i for i, w in enumerate(ONES)} | {w: 10 * i for i, w in enumerate(TENS) if w}
WORDS |= {"a": 1, "an": 1, "one hundred": 100, "a hundred": 100, "hundred": 100}

# Minutes per unit for the exact family; months per unit for the calendar family.
MINUTES = {"minute": 1, "min": 1, "hour": 60, "hr": 60, "day": 1440, "week": 10080}
MONTHS = {"month": 1, "year": 12}
_UNITS = {"minutes": "minute", "mins": "min", "hours": "hour", "hrs": "hr", "days": "day",
          "weeks": "week", "months": "month", "years": "year", "business days": "business day",
          "working days": "business day", "working day": "business day"}
_ALL_UNITS = sorted({*MINUTES, *MONTHS, *_UNITS, "business day"}, key=len, reverse=True)

_TENS = "|".join(w for w in TENS if w)
_WORD_NUMBER = (
    rf"(?:{_TENS})(?:[- ](?:{'|'.join(ONES[1:10])}))?|(?:one|a) hundred|{'|'.join(reversed(ONES))}|an?"
)
DURATION = re.compile(
    rf"(?<![\w.,])(?P<num>\d+(?:\.\d+)?|(?i:{_WORD_NUMBER}))"
    rf"(?:-|\s)(?P<unit>(?i:{'|'.join(_ALL_UNITS)}))(?![\w-]*\d)\b",
)
# "twice a day", "$49 a month", "7 days a week": the "a" is a rate, not one unit of time.
_RATE = re.compile(r"(?:\d|\b(?:once|twice|times|per|days?|hours?|weeks?|months?))\s*$", re.IGNORECASE)
# A countdown states no length of anything: "your trial ends in 3 days", "2 days left".
_COUNTDOWN_BEFORE = re.compile(
    r"\b(?:ends?|ending|expires?|expiring|renews?|closes?|starts?|begins?)\s+in\s+$", re.IGNORECASE)
_COUNTDOWN_AFTER = re.compile(r"\s+(?:left|remaining|to go|ago)\b", re.IGNORECASE)
ISO = re.compile(r"P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
                 r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?)?")


class Duration:
    """Lengths of time: trial periods, refund windows, response times."""

    name = "duration"
    options: list[Option] = []

    def find(self, text: str, **options: Any) -> list[Value]:
        found = []
        for m in DURATION.finditer(text):
            word = m.group("num").lower()
            if word in ("a", "an") and _RATE.search(text, max(0, m.start() - 10), m.start()):
                continue
            if preceded_by_range(text, m.start()) or _counting_down(text, m.start(), m.end()):
                continue
            number = _number(word)
            unit = m.group("unit").lower()
            value = normalize(number, _UNITS.get(unit, unit))
            if value is not None:
                shown = as_written(m.group("num"), unit, number)
                found.append(Value(m.start(), m.end(), m.group(0), value, shown))
        if options.get("ranges", True):
            found += ranges(self.find, text, **options)
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        """One duration; also schema.org's ISO 8601 form ("P14D", "P1M") from JSON-LD."""
        s = str(text).strip() if isinstance(text, str) else ""
        m = ISO.fullmatch(s)
        if m and s != "P" and not s.endswith("T"):
            return _iso(s, m)
        return parse_whole(self.find, text, **options)

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def _counting_down(text: str, start: int, end: int) -> bool:
    return bool(_COUNTDOWN_BEFORE.search(text, max(0, start - 20), start)
                or _COUNTDOWN_AFTER.match(text, end))


def _number(word: str) -> float:
    if word[0].isdigit():
        return float(word)
    if word in WORDS:
        return WORDS[word]
    tens, _, ones = word.replace(" ", "-").partition("-")
    return WORDS[tens] + WORDS.get(ones, 0)


def normalize(number: float, unit: str) -> dict[str, int | float] | None:
    """The canonical dict for ``number`` ``unit``: {"days": 14}, {"hours": 36}, {"months": 12}."""
    if unit == "business day":
        return {"business_days": _plain(number)}
    if unit in MONTHS:
        return {"months": _plain(number * MONTHS[unit])}
    minutes = number * MINUTES[unit]
    for name, size in (("days", 1440), ("hours", 60)):
        if minutes % size == 0:
            return {name: _plain(minutes / size)}
    return {"minutes": _plain(minutes)}


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 4)


def display(value: dict[str, int | float]) -> str:
    """ "14 days", "1 year", "18 months", "3 business days"."""
    (unit, n), = value.items()
    if unit == "months" and n % 12 == 0:
        unit, n = "years", n // 12
    label = unit.replace("_", " ")
    return f"{n:g} {label[:-1] if n == 1 else label}"


def as_written(num: str, unit: str, number: float) -> str:
    """How a duration is shown: as the page writes it ("24 hours" stays "24 hours", though it
    equals "1 day"), the adjective form as a length ("a 14-day trial" shows "14 days")."""
    unit = " ".join(unit.split())
    if number != 1 and not unit.endswith("s") and unit not in ("min", "hr"):
        unit += "s"
    elif number == 1 and unit.endswith("s") and unit not in ("hrs", "mins"):
        unit = unit[:-1]
    return f"{num} {unit}"


def _iso(s: str, m: re.Match[str]) -> Value | None:
    g = {k: int(v) for k, v in m.groupdict().items() if v}
    if not g:
        return None
    calendar = g.get("y", 0) * 12 + g.get("mo", 0)
    minutes = g.get("w", 0) * 10080 + g.get("d", 0) * 1440 + g.get("h", 0) * 60 + g.get("mi", 0)
    if calendar and minutes:
        return None  # "P1M2D" has no single unit to compare with
    value = normalize(calendar, "month") if calendar else normalize(minutes, "minute")
    return Value(0, len(s), s, value, display(value)) if value else None


TYPE = Duration()

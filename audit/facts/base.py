"""What every fact value type shares: the Value it returns and the protocol it follows.

A value type finds candidate values of one kind (money, a duration, a phone number…) in stored
region text and normalizes them, so that "$49/mo" and "USD 49 monthly" compare equal. It knows
nothing about rules: which candidate is the fact (the trial length, the support phone) is decided
by the fact rule built on top, from context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from audit.options import Option
from audit.text import ELLIPSIS


@dataclass(frozen=True)
class Value:
    """One value found in a text: where it is, as written, normalized, and for humans.

    ``start``/``end`` are offsets into the text given to ``find()``; ``text`` is exactly
    ``text[start:end]``; ``value`` is plain JSON compared with ``==`` (or the type's ``same``).
    """

    start: int
    end: int
    text: str
    value: Any
    display: str


class ValueType(Protocol):
    """A kind of value. ``options`` is the table of keyword options a fact rule may set.

    Every ``find()`` also takes ``placeholders``, the offsets of the ``…`` that replaced merge tags
    (``[pos for _, pos in region.merge_tags]``): the audit passes it, a rule file never sets it.
    """

    name: str
    options: list[Option]

    def find(self, text: str, **options: Any) -> list[Value]: ...

    def parse(self, text: str, **options: Any) -> Value | None: ...

    def same(self, a: Any, b: Any, **options: Any) -> bool: ...


# Placeholders (merge tags replaced by "…") count as adjacent across one separator: "$49/…" has
# its period in a tag and "… 14 days" may be a count in a tag, so neither is a known value.
_LEFT_GAP = re.compile(r"[ /\-–]?[ ]?")
_RIGHT_GAP = re.compile(r"[ ]?[ /\-–]?")

def near_placeholder(text: str, start: int, end: int, placeholders: Collection[int] | None = None) -> bool:
    """True when ``text[start:end]`` contains or touches a merge-tag placeholder.

    Without ``placeholders`` every ``…`` counts (stored text cannot tell a tag from a typed
    ellipsis); with the region's tag offsets only those do.
    """
    if placeholders is None:
        window = range(max(0, start - 3), min(len(text), end + 3))
        placeholders = [i for i in window if text[i] == ELLIPSIS]
    for pos in placeholders:
        if start <= pos < end:
            return True
        if pos < start and _LEFT_GAP.fullmatch(text, pos + 1, start):
            return True
        if pos >= end and _RIGHT_GAP.fullmatch(text, end, pos):
            return True
    return False


def keep(
    text: str, candidates: Iterable[Value], placeholders: Collection[int] | None = None
) -> list[Value]:
    """Candidates in text order, without overlaps (earliest, then longest wins) or placeholders."""
    out: list[Value] = []
    last_end = -1
    for v in sorted(candidates, key=lambda v: (v.start, -(v.end - v.start))):
        if v.start < last_end:
            continue
        last_end = v.end
        if not near_placeholder(text, v.start, v.end, placeholders):
            out.append(v)
    return out


def parse_whole(find: Callable[..., list[Value]], text: Any, **options: Any) -> Value | None:
    """The one value that spans all of ``text`` (ignoring surrounding blanks), else None.

    Shared by ``parse()`` implementations: a rule's ``expected:`` and a JSON-LD property are
    one value each, and anything left over means the string was not just that value.
    """
    if text is None or isinstance(text, bool):
        return None
    text = str(text)
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    found = find(stripped, **options)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        v = found[0]
        return Value(v.start + offset, v.end + offset, v.text, v.value, v.display)
    return None


def preceded_by_range(text: str, start: int) -> bool:
    """True when a number at ``start`` ends a range ("3-5 days", "20–30%"): its meaning is unclear."""
    return bool(re.search(r"\d\s*[-–]\s*$|\d\s+to\s+$", text[max(0, start - 8) : start]))


def followed_by_range(text: str, end: int) -> bool:
    """True when a number ending at ``end`` starts a range ("€40-50/hour")."""
    return bool(re.match(r"\s*[-–]\s*\d|\s+to\s+\d", text[end : end + 8]))


_RANGE = re.compile(r"(?<![\w.,])(?P<p1>[$€£¥])?(?P<n1>\d[\d,]*(?:\.\d+)?)%?\s*(?:[-–—]|\bto\b)\s*"
                    r"(?P<p2>[$€£¥])?(?P<n2>\d[\d,]*(?:\.\d+)?)")


def ranges(find: Callable[..., list[Value]], text: str, **options: Any) -> list[Value]:
    """Ranges read as ranges: "3–5 business days", "€40–50 per month", "10–20%", "5 to 10 seats".

    The unit (and a currency sign) written once belongs to both ends, so each end is read by the
    type's own ``find`` as if written in full ("3 business days", "5 business days"); the value
    is ``{"range": [low, high]}`` and shows as written. A range equals only the same range.
    """
    out = []
    options = {k: v for k, v in options.items() if k not in ("placeholders", "ranges")}
    for m in _RANGE.finditer(text):
        n1, n2 = (float(m.group(g).replace(",", "")) for g in ("n1", "n2"))
        if not n1 < n2 or re.match(r"0\d", m.group("n2")):
            continue  # "555-0172", "2-1" are no ranges
        if " to " in m.group(0) and re.search(r"\bfrom\s+$", text[max(0, m.start() - 6):m.start()]):
            continue  # "grew from $400 to $2,750" is a change
        sign = m.group("p1") or m.group("p2") or ""
        tail = text[m.end("n2"): m.end("n2") + 40]
        high = [v for v in find(sign + m.group("n2") + tail, ranges=False, **options) if v.start == 0]
        if not high or len(high[0].text) <= len(sign + m.group("n2")) and not sign:
            continue  # "3-5" alone is no value of the type
        suffix = high[0].text[len(sign + m.group("n2")):]
        low_text = sign + m.group("n1") + suffix
        low = [v for v in find(low_text, ranges=False, **options) if v.start == 0 and v.end == len(low_text)]
        if not low or low[0].value == high[0].value:
            continue
        end = m.end("n2") + len(suffix)
        written = " ".join(text[m.start():end].split())
        out.append(Value(m.start(), end, text[m.start():end], {"range": [low[0].value, high[0].value]},
                         written))
    return out

"""Free text (an address, opening hours) compared by similarity, not equality.

Nothing in a page says where an address starts, so ``find()`` returns only matches of the rule's
``pattern``. Values are normalized (case, punctuation, white space) and compared with rapidfuzz's
ratio, so "123 Main St., Springfield" and "123 main st springfield" are the same.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rapidfuzz import fuzz

from audit.facts.base import Value, keep
from audit.options import Option
from audit.patterns import timed

_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")


class Text:
    """Free-text facts, found by a pattern and compared by similarity."""

    name = "text"
    options = [
        Option("pattern", "regex", "where the value is (its group 'value' if any); find() needs it"),
        Option("threshold", "number", "similarity (0-100) at which two texts are the same", default=90,
               check=lambda v: None if 0 <= v <= 100 else f"must be between 0 and 100; got {v:g}"),
    ]

    def find(self, text: str, **options: Any) -> list[Value]:
        pattern = options.get("pattern")
        if not pattern:
            return []
        compiled = timed(pattern.pattern if isinstance(pattern, re.Pattern) else str(pattern))
        group = "value" if "value" in compiled.groupindex else 0
        found = []
        for m in compiled.finditer(text):
            start, end = m.span(group)
            if start < 0 or start == end:
                continue
            written = text[start:end]
            if normalize(written):
                found.append(Value(start, end, written, normalize(written), _SPACE.sub(" ", written).strip()))
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        if not isinstance(text, str) or "…" in text:
            return None
        value = normalize(text)
        if not value:
            return None
        s = text.strip()
        start = text.index(s)
        return Value(start, start + len(s), s, value, _SPACE.sub(" ", s))

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        """Equal, or alike in wording with the very same numbers: "120 Market St" is "120 Market
        Street", but "Suite 210" is never "Suite 300", however alike the rest reads."""
        if a == b:
            return True
        if _NUMBERS.findall(str(a)) != _NUMBERS.findall(str(b)):
            return False
        threshold = float(options.get("threshold") or 90)
        return fuzz.ratio(str(a), str(b)) >= threshold


_NUMBERS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Case-folded, accents kept, punctuation and runs of white space made one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


TYPE = Text()

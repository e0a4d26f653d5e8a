"""Regular expressions from rule files, time-boxed: one pattern can never stall a scheduled audit.

`rules check` refuses patterns that can backtrack catastrophically (audit/rules/forms.py), but no
linter sees every slow case, so every search a user's pattern makes (forms, ``urls``,
``exclude_urls``, ``allow_in``, exception patterns, a text fact's ``pattern``) goes through
:class:`TimedPattern`: the ``regex`` module stops it after :data:`SEARCH_SECONDS`, and a search
given up is logged once per pattern and counts as no match.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import regex

SEARCH_SECONDS = 0.5  # how long one pattern may search one text before it is given up

logger = logging.getLogger(__name__)


class TimedPattern:
    """A compiled pattern whose searches give up after SEARCH_SECONDS (Python ``re`` syntax)."""

    __slots__ = ("pattern", "compiled", "gave_up")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.compiled = regex.compile(pattern, flags | regex.V0)
        self.gave_up = 0

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self.compiled.groupindex)

    def search(self, text: str) -> Any:
        """The first match, or None (also when the search ran out of time)."""
        try:
            return self.compiled.search(text, timeout=SEARCH_SECONDS)
        except TimeoutError:
            self._timed_out(text)
            return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> list[Any]:
        """Every match, or none when the search runs out of time."""
        try:
            return list(self.compiled.finditer(text, pos, len(text) if endpos is None else endpos,
                                               timeout=SEARCH_SECONDS))
        except TimeoutError:
            self._timed_out(text)
            return []

    def _timed_out(self, text: str) -> None:
        self.gave_up += 1
        if self.gave_up == 1:
            logger.warning("pattern %r gave up after %.1fs on a text of %d characters (and is given up "
                           "the same way on any other text it stalls on): simplify it", self.pattern,
                           SEARCH_SECONDS, len(text))


@functools.lru_cache(maxsize=8192)  # a large rule set's forms and exception patterns, each once
def timed(pattern: str, flags: int = 0) -> TimedPattern:
    """One TimedPattern per pattern and flags (value types compile their ``pattern`` option lazily)."""
    return TimedPattern(pattern, flags)

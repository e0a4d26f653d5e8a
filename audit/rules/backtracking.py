"""Which regular expressions can backtrack catastrophically: the linter behind `rules check`.

A backtracking engine stalls when a repeat can split the same text in many ways. The classic
shapes, each found here on the parsed pattern (``re._parser``), without running it:

- a repeated group whose body can match texts of different lengths and whose iterations can
  meet on the same character: ``(a+)+``, ``(\\w+\\s?)+``, ``(\\d{1,3},?)*``. When an iteration must end on
  characters the next cannot start with (``(?: [A-Z][a-z]+)*``, ``([a-z]+ )*``) the split is
  unique and the pattern is fine;
- open-ended alternatives that can start alike: ``(a|ab)*``, ``(\\s*,\\s*|\\s+)*``;
- the same open-ended repeat twice in a row: ``\\w*\\w*``, ``.+.*``.

Character sets are compared on a sample alphabet (ASCII plus a few letters, digits and spaces from
elsewhere), which is exact for the literals and classes rule files use.
"""

from __future__ import annotations

import string
from re import _constants as c  # type: ignore[attr-defined]
from typing import Any

_REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
_SAMPLE = string.printable + "éßÄø\u00a0\u2009\u2013\u2019٣中ǅ"
_ALL = frozenset(_SAMPLE)
_CATEGORIES = {
    c.CATEGORY_DIGIT: str.isdigit, c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
    c.CATEGORY_SPACE: str.isspace, c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}


def catastrophic(parsed: Any) -> str | None:
    """Why the parsed pattern can backtrack catastrophically, or None."""
    if _same_repeat_twice(parsed):
        return "the same open-ended repeat twice in a row, as in \\w*\\w*"
    for op, arg in parsed:
        if op in _REPEATS:
            _lo, hi, body = arg
            many = hi == c.MAXREPEAT or hi >= 10
            if many and _has_variable_part(body) and _iterations_can_meet(body):
                return "a repeated part inside a repeated group"
            if hi == c.MAXREPEAT and _alternatives_start_alike(body):
                return "alternatives that can match the same text, repeated"
            found = catastrophic(body)
        elif op == c.SUBPATTERN:
            found = catastrophic(arg[-1])
        elif op == c.BRANCH:
            found = next((f for f in map(catastrophic, arg[1]) if f), None)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found = catastrophic(arg[1])
        else:
            found = None
        if found:
            return found
    return None


def _same_repeat_twice(parsed: Any) -> bool:
    """``\\w*\\w*``, ``.+.*``: two open-ended repeats of one thing side by side split every run
    of it in as many ways as it is long (three in a row: its square), for nothing."""
    items = list(parsed)
    for (op1, arg1), (op2, arg2) in zip(items, items[1:], strict=False):
        if (op1 in _REPEATS and op2 in _REPEATS and c.MAXREPEAT in (arg1[1], arg2[1])
                and list(arg1[2]) == list(arg2[2])):
            return True
    return False


def _has_variable_part(parsed: Any) -> bool:
    """Whether a body can match texts of different lengths (``\\d{1,3}`` as much as ``a+``): only
    then can a repeat of it split one text in several ways."""
    for op, arg in parsed:
        if op in _REPEATS and (arg[0] != arg[1] or _has_variable_part(arg[2])):
            return True
        if op == c.SUBPATTERN and _has_variable_part(arg[-1]):
            return True
        if op == c.BRANCH and any(_has_variable_part(b) for b in arg[1]):
            return True
    return False


def _iterations_can_meet(body: Any) -> bool:
    """Whether one iteration can end on a character the next can start with (or be empty)."""
    first, empty = _edge(body)
    last, _ = _edge(body, last=True)
    return empty or bool(first & last)


def _alternatives_start_alike(parsed: Any) -> bool:
    """Whether a repeated sequence holds alternatives that can begin with the same character
    (or be empty), so the repeat can split the same text in many ways."""
    for op, arg in parsed:
        if op == c.SUBPATTERN and _alternatives_start_alike(arg[-1]):
            return True
        if op == c.BRANCH:
            firsts = [_edge(b) for b in arg[1]]
            for i, (a, a_empty) in enumerate(firsts):
                for b, b_empty in firsts[i + 1:]:
                    if a_empty or b_empty or a & b:
                        return True
    return False


def _edge(parsed: Any, last: bool = False) -> tuple[frozenset[str], bool]:
    """The sample characters a sequence can start with (``last``: end with), and whether it can
    match the empty text (then what stands beside it can start or end the match too)."""
    items = list(parsed)
    chars: set[str] = set()
    for op, arg in reversed(items) if last else items:
        if op == c.AT:
            continue
        if op in _REPEATS:
            inner, empty = _edge(arg[2], last)
            empty = empty or arg[0] == 0
        elif op == c.SUBPATTERN:
            inner, empty = _edge(arg[-1], last)
        elif op == c.BRANCH:
            edges = [_edge(b, last) for b in arg[1]]
            inner = frozenset().union(*(e for e, _ in edges))
            empty = any(e for _, e in edges)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            continue
        else:
            inner, empty = _one_char(op, arg), False
        chars |= inner
        if not empty:
            return frozenset(chars), False
    return frozenset(chars), True


def _one_char(op: Any, arg: Any) -> frozenset[str]:
    """The sample characters one item matches (all of them when it is not a one-character item)."""
    if op == c.LITERAL:
        ch = chr(arg)
        return frozenset({ch, ch.lower(), ch.upper()})
    if op == c.NOT_LITERAL:
        return _ALL - {chr(arg)}
    if op == c.ANY:
        return _ALL - {"\n"}
    if op == c.IN:
        negate = bool(arg) and arg[0][0] == c.NEGATE
        found = {ch for ch in _SAMPLE if any(_in(o, a, ch) for o, a in arg)}
        return _ALL - found if negate else frozenset(found)
    return _ALL


def _in(op: Any, arg: Any, ch: str) -> bool:
    if op == c.LITERAL:
        return ch == chr(arg)
    if op == c.RANGE:
        return arg[0] <= ord(ch) <= arg[1]
    if op == c.CATEGORY:
        return _CATEGORIES.get(arg, lambda _ch: True)(ch)
    return False

"""The forms rules look for: a literal phrase, or a regular expression over the text.

A rule lists forms as plain strings (``Cloud Sync``) or as mappings that say more:
``{text: US, ignorecase: false}`` (a literal with its own case), ``{pattern: "[Ee]-?mail"}`` (a
regular expression, on whole words unless ``words: false``). A Form is the string itself (so
messages and counts read it as one) carrying how to match it and where it was written, so
`rules check` can point at a form that cannot match.

Patterns are compiled once with the ``regex`` module, which can stop a search after a time limit,
and are refused when they can backtrack catastrophically (a repeated group that itself repeats,
``(a+)+``, ``(\\w*)*``, ``(a|ab)*``): one bad pattern must not stall a scheduled run.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import regex

from audit.patterns import SEARCH_SECONDS, TimedPattern, timed
from audit.rules.backtracking import catastrophic

__all__ = ["SEARCH_SECONDS", "Form", "pattern_problem"]


class Form(str):
    """A form as written, with how it matches: ``pattern`` (a regular expression, else a literal
    tokenized like the text), ``ignorecase`` (None: the rule's default), ``words`` (a pattern
    only matches whole words) and its ``line``/``col`` in the rule file."""

    pattern: bool
    ignorecase: bool | None
    words: bool
    line: int
    col: int

    def __new__(cls, text: str, *, pattern: bool = False, ignorecase: bool | None = None,
                words: bool = True, line: int = 0, col: int = 0) -> Form:
        self = super().__new__(cls, text)
        self.pattern, self.ignorecase, self.words, self.line, self.col = pattern, ignorecase, words, line, col
        return self

    def compiled(self, default_ignorecase: bool) -> TimedPattern:
        """The pattern, on whole words unless ``words`` is off; its searches are time-boxed."""
        source = f"(?<!\\w)(?:{self})(?!\\w)" if self.words else str(self)
        return timed(source, regex.IGNORECASE if case_blind(self, default_ignorecase) else 0)

    def needle(self) -> str:
        """Literal text every match of the pattern starts with, case folded ("" when none): a
        text without it needs no search."""
        try:
            parsed = sre_parse.parse(str(self))
        except (re.error, RecursionError, OverflowError):
            return ""
        out = []
        for op, arg in parsed:
            if op != sre_constants.LITERAL:
                break
            out.append(chr(arg))
        return "".join(out).casefold() if len(out) >= 2 else ""


_ACRONYM = re.compile(r"^[A-Z]{2,5}$")


def case_blind(text: str, default: bool) -> bool:
    """Whether a form (a Form or a plain string) matches in any case: its own ``ignorecase``, else
    the rule's ``default``; but an acronym in capitals (US, IT, NOTE) matches only as written
    unless it says otherwise, so "us", "it" and "Note" are never taken for it."""
    own = getattr(text, "ignorecase", None)
    if own is not None:
        return bool(own)
    if not getattr(text, "pattern", False) and _ACRONYM.match(str(text)):
        return False
    return default


def form_of(item: Any, line: int, col: int) -> Form:
    """A Form from a validated item: a string, or a mapping with text or pattern."""
    if isinstance(item, str):
        return Form(item, line=line, col=col)
    if item.get("pattern") is not None:
        return Form(str(item["pattern"]), pattern=True, ignorecase=item.get("ignorecase"),
                    words=item.get("words", True), line=line, col=col)
    return Form(str(item["text"]), ignorecase=item.get("ignorecase"), line=line, col=col)


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be used: it does not compile, or it can backtrack catastrophically."""
    try:
        regex.compile(pattern, regex.V0)
        parsed = sre_parse.parse(pattern)
    except (regex.error, re.error, RecursionError, OverflowError) as exc:
        return f"is not a valid regular expression: {exc}"
    why = catastrophic(parsed)
    if why:
        return (f"can backtrack catastrophically ({why}) and stall an audit; rewrite it so no "
                "repeated part can match the same text in two ways (e.g. (a+)+ -> a+)")
    return None


def expand(template: str, match: Any) -> str:
    """``Angular$1`` with the pattern's groups filled in ($1 .. $9; $$ is a dollar sign)."""
    if match is None or "$" not in template:
        return template

    def group(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        try:
            return match.group(int(m.group(1))) or ""
        except (IndexError, regex.error):
            return m.group(0)

    return re.sub(r"\$\$|\$(\d)", group, template)

"""Language rules: preferred versus discouraged phrasing ("sign in", not "log in").

Matching is lemma-aware by default, so "log in" also catches "logged in" and "logging in";
phrases listed in ``allow_as_noun`` are only reported where they are used as a verb ("login to
your account"), not as a noun ("your login").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from audit.options import Option
from audit.rules.base import Rule, common_fields

KIND = "language"

OPTIONS = [
    Option("prefer", "str", "the phrasing to use, e.g. sign in"),
    Option("avoid", "strings", "phrasings to report, e.g. log in, login", required=True),
    Option("lemma", "bool", "match every inflection of the avoided phrases (logged in, logging in)",
           default=True),
    Option("allow_as_noun", "strings", "avoided phrases that are fine when used as a noun "
           "(your login)"),
]

# Without a trained tagger, a word is taken as a noun after these words or before these.
_NOUN_BEFORE = {"a", "an", "the", "your", "my", "our", "their", "his", "her", "its", "this",
                "that", "each", "every", "any", "no", "new", "same", "'s", "’s", "of", "for"}
_NOUN_AFTER = {"page", "screen", "form", "button", "link", "details", "credentials", "field",
               "name", "url", "issue", "issues", "problem", "problems", "attempt", "attempts",
               "history", "session", "flow", "is", "was", "fails", "failed", "method", "options",
               "code", "email", "information", "info", "box", "window", "process", "portal"}


@dataclass
class LanguageRule(Rule):
    prefer: str | None = None
    avoid: list[str] = field(default_factory=list)
    lemma: bool = True
    allow_as_noun: list[str] = field(default_factory=list)

    def judge(self, span: Span, form: str, tagged: bool) -> str | None:
        """The message for an avoided phrase, or None where it is allowed here."""
        if form.lower() in {a.lower() for a in self.allow_as_noun} and used_as_noun(span, tagged):
            return None
        if self.prefer:
            return self.format("Use '{expected}' instead of '{found}'", found=span.text,
                               expected=self.prefer)
        return self.format("Avoid '{found}'", found=span.text, expected="")


def used_as_noun(span: Span, tagged: bool) -> bool:
    """Whether a span is used as a noun: the tagger says so, or the words around it do."""
    if tagged:
        return span.root.pos_ in ("NOUN", "PROPN")
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if before in _NOUN_BEFORE or after in _NOUN_AFTER:
        return True
    # A line of its own ("Login" as a heading or a button) names the thing.
    at_line_start = span.start == 0 or "\n" in doc[span.start - 1].text or doc[span.start - 1].is_space
    at_line_end = span.end == len(doc) or doc[span.end].is_space or doc[span.end].is_punct and \
        doc[span.end].text in ".!:" and (span.end + 1 == len(doc) or doc[span.end + 1].is_space)
    return at_line_start and at_line_end


def compile_rule(raw: dict[str, Any], source: str) -> LanguageRule:
    return LanguageRule(
        **common_fields(raw, source),
        prefer=raw.get("prefer"),
        avoid=raw.get("avoid") or [],
        lemma=raw["lemma"],
        allow_as_noun=raw.get("allow_as_noun") or [],
    )

"""Language rules: preferred versus discouraged phrasing ("sign in", not "log in").

Matching is lemma-aware by default, so "log in" also catches "logged in" and "logging in";
phrases listed in ``allow_as_noun`` are only reported where they are used as a verb ("login to
your account"), not as a noun ("your login").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from audit.options import Option
from audit.pos import used_as_noun
from audit.rules.base import Rule, common_fields
from audit.rules.forms import expand

KIND = "language"

OPTIONS = [
    Option("prefer", "strings", "the phrasing to use, e.g. sign in; several acceptable ones as a "
           "list; $1.. are the groups of the pattern that matched (Angular$1)"),
    Option("avoid", "forms", "phrasings to report, e.g. log in, login", required=True),
    Option("ignorecase", "bool", "the avoided phrasings match in any case (a form may say "
           "otherwise: {text: US, ignorecase: false})", default=True),
    Option("lemma", "bool", "match every inflection of the avoided phrases (logged in, logging in)",
           default=True),
    Option("spacing", "bool", "spacing and punctuation count: 'Qiita: Team' is reported, "
           "'Qiita:Team' is not, though both are the same words", default=False),
    Option("allow_as_noun", "strings", "avoided phrases that are fine when used as a noun "
           "(your login)"),
]

@dataclass
class LanguageRule(Rule):
    prefer: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    ignorecase: bool = True
    lemma: bool = True
    spacing: bool = False
    allow_as_noun: list[str] = field(default_factory=list)

    def judge(self, span: Span, found: str, form: str, tagged: bool, match: Any = None,
              sentence_start: bool = False, where: str = "body",
              any_case: bool = True) -> tuple[str, str | None] | None:
        """(message, expected) for an avoided phrase, or None where it is allowed here.

        The preferred phrasing itself is never reported (tokens can hide the spacing or
        punctuation that tells them apart; ``any_case``: whether case tells them apart too);
        with ``spacing``, only the avoided spacing is.
        ``match`` is the pattern match, for $1.. in ``prefer``; at a sentence start the
        replacement is capitalized like the text it replaces.
        """
        if form.lower() in {a.lower() for a in self.allow_as_noun} and used_as_noun(span, tagged, where):
            return None
        if any(found.lower() == p.lower() if any_case else found == p for p in self.prefer):
            return None
        if self.spacing and not getattr(form, "pattern", False) and not _spaced_alike(found, form):
            return None
        replacements = [expand(p, match) for p in self.prefer]
        if found[:1].isupper() and sentence_start:
            replacements = [r[:1].upper() + r[1:] for r in replacements]
        if not replacements:
            return self.format("Avoid '{found}'", found=found, expected=""), None
        shown = " or ".join(f"'{r}'" for r in replacements)
        message = self.format("Use {expected_quoted} instead of '{found}'", found=found,
                              expected=replacements[0], expected_quoted=shown)
        return message, replacements[0]


def _spaced_alike(found: str, form: str) -> bool:
    """Whether ``found`` has ``form``'s spacing and punctuation between its words (the words
    themselves may be inflected): 'Qiita: Team' is spaced like 'Qiita: Team', not 'Qiita:Team'."""
    return _SEPARATORS.findall(found) == _SEPARATORS.findall(form)


_SEPARATORS = re.compile(r"[^\w]+")


def compile_rule(raw: dict[str, Any], source: str) -> LanguageRule:
    return LanguageRule(
        **common_fields(raw, source),
        prefer=raw.get("prefer") or [],
        avoid=raw.get("avoid") or [],
        ignorecase=raw["ignorecase"],
        lemma=raw["lemma"],
        spacing=raw["spacing"],
        allow_as_noun=raw.get("allow_as_noun") or [],
    )

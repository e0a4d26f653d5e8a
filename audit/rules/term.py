"""Term rules: how the company writes its own names (brand and product terms).

A preferred form, known variants, retired names, whether capitalization matters, whether the
name is also an ordinary word ("Pulse" vs "check your pulse"), and near-miss detection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit.options import Option
from audit.rules.base import Rule, common_fields

KIND = "term"

OPTIONS = [
    Option("preferred", "str", "the one correct form, e.g. CloudSync", required=True),
    Option("variants", "forms", "known wrong forms (e.g. Cloud Sync, Cloud-Sync, {pattern: "
           "'Cloud[- ]?sync'})"),
    Option("retired", "forms", "old names that must be replaced by the preferred form"),
    Option("ignorecase", "bool", "variants and retired names match in any case (a form may say "
           "otherwise: {text: US, ignorecase: false})", default=True),
    Option("case_sensitive", "bool", "report the preferred form written in another case "
           "(Cloudsync, CLOUDSYNC)", default=True),
    Option("grammar_case", "bool", "accept the capitals grammar asks for: a capital at the start "
           "of a sentence, Title Case in headings, titles, buttons and Title Case lines (default: on "
           "when the preferred form is all lower-case, e.g. ecommerce)"),
    Option("allow_upper", "bool", "accept the preferred form in ALL CAPS on a line in capitals "
           "(labels, banners)", default=False),
    Option("plural", "str", "the preferred form's plural when it is not the form + s/es "
           "(e.g. Acme Mice); forms ending in s have no derived plural"),
    Option("common_word", "bool", "the name is also an ordinary word: lower-case uses are not "
           "the product and are never reported", default=False),
    Option("fuzzy", "bool", "report unknown near-misses (ClowdSync) as possible variants",
           default=False),
    Option("threshold", "number", "similarity (0-100) at or above which a near-miss is reported",
           default=85, check=lambda v: None if 50 <= v <= 100 else "must be between 50 and 100"),
    Option("in_urls", "bool", "also report forms inside URLs and e-mail addresses", default=False),
]

_ES = ("s", "x", "z", "ch", "sh")


def derived_plurals(form: str) -> list[str]:
    """The plural suffixes a name takes when nothing else is said: +es after s/x/z/ch/sh, +s
    otherwise; none for a name that already ends in s (Acme Insights, Analytics)."""
    if not form or not form[-1].isalpha() or form.endswith("s"):
        return []
    return ["es"] if form.lower().endswith(_ES) else ["s"]


@dataclass
class TermRule(Rule):
    preferred: str = ""
    variants: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    ignorecase: bool = True
    case_sensitive: bool = True
    grammar_case: bool = False
    allow_upper: bool = False
    plural: str | None = None
    common_word: bool = False
    fuzzy: bool = False
    threshold: float = 85
    in_urls: bool = False

    def forms(self) -> list[tuple[str, str]]:
        """(role, form) pairs the matcher looks for; the preferred form first."""
        out = [("preferred", self.preferred)]
        out += [("variant", v) for v in self.variants]
        out += [("retired", r) for r in self.retired]
        return out

    def plurals(self, role: str, form: str) -> list[tuple[str, str]]:
        """(how, plural text) the matcher also looks for, derived from a literal form: ``how`` is
        the suffix added, or "plural" for the preferred form's own ``plural``."""
        if getattr(form, "pattern", False):
            return []
        if role == "preferred" and self.plural:
            return [("plural", self.plural)]
        return [(suffix, form + suffix) for suffix in derived_plurals(form)]

    def preferred_in_number(self, plural: bool) -> str:
        """The preferred form, or its plural ('Cloud Syncs' is to be 'CloudSyncs')."""
        if not plural:
            return self.preferred
        if self.plural:
            return self.plural
        return self.preferred + (derived_plurals(self.preferred) or [""])[0]

    def judge(self, found: str, roles: list[tuple[str, str, str]],
              place: tuple[bool, bool, bool] = (False, False, False)) -> tuple[str, str, str] | None:
        """(problem, message, expected) for a text matched as one of ``roles``, or None if fine.

        ``roles`` are the (role, form, plural) of every pattern of this rule that matched the
        span (``plural``: "" for the form as listed, else how its plural was derived); a listed
        form always beats a plural derived from another one, so 'Acme Bridges' listed as a
        variant of 'Acme Bridge' is reported as the variant it is, and what is expected keeps
        the number of what was found. ``place`` says whether the text starts a sentence, stands
        where Title Case is usual, and stands on a line in capitals (see ``grammar_forms``).
        """
        if self.common_word and found.islower():
            return None  # the ordinary word, not the product
        roles = [r for r in roles if not r[2]] or roles
        plural = bool(roles[0][2])
        expected = self.preferred_in_number(plural)
        if found == expected or found in self.grammar_forms(expected, *place):
            return None
        values = {"found": found, "expected": expected}
        if any(role == "retired" for role, _, _ in roles):
            return "retired", self.format("'{found}' is a retired name; use '{expected}'", **values), expected
        if found.lower() == expected.lower():
            if not self.case_sensitive:
                return None
            if not any(role == "variant" and found == form + (how if how != "plural" else "")
                       for role, form, how in roles):
                return "case", self.format(
                    "Write '{expected}' with its capitalization, not '{found}'", **values), expected
        return "variant", self.format("Write '{expected}', not '{found}'", **values), expected

    def grammar_forms(self, form: str, sentence_start: bool, title: bool, upper: bool) -> set[str]:
        """The capitalizations of ``form`` that grammar asks for in this place: a capital at the
        start of a sentence, Title Case where titles are usual, capitals on a line in capitals."""
        out: set[str] = set()
        if self.grammar_case:
            if sentence_start or title:
                out.add(form[:1].upper() + form[1:])
            if title:
                out.add(" ".join(w[:1].upper() + w[1:] for w in form.split(" ")))
        if self.allow_upper and upper:
            out.add(form.upper())
        return out


def compile_rule(raw: dict[str, Any], source: str) -> TermRule:
    grammar = raw.get("grammar_case")
    return TermRule(
        **common_fields(raw, source),
        preferred=raw["preferred"],
        variants=raw.get("variants") or [],
        retired=raw.get("retired") or [],
        ignorecase=raw["ignorecase"],
        case_sensitive=raw["case_sensitive"],
        grammar_case=raw["preferred"].islower() if grammar is None else grammar,
        allow_upper=raw["allow_upper"],
        plural=raw.get("plural"),
        common_word=raw["common_word"],
        fuzzy=raw["fuzzy"],
        threshold=float(raw["threshold"]),
        in_urls=raw["in_urls"],
    )

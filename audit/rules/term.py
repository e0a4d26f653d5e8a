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
    Option("variants", "strings", "known wrong forms, matched case-insensitively "
           "(e.g. Cloud Sync, Cloud-Sync)"),
    Option("retired", "strings", "old names that must be replaced by the preferred form"),
    Option("case_sensitive", "bool", "report the preferred form written in another case "
           "(Cloudsync, CLOUDSYNC)", default=True),
    Option("common_word", "bool", "the name is also an ordinary word: lower-case uses are not "
           "the product and are never reported", default=False),
    Option("fuzzy", "bool", "report unknown near-misses (ClowdSync) as possible variants",
           default=False),
    Option("threshold", "number", "similarity (0-100) at or above which a near-miss is reported",
           default=85, check=lambda v: None if 50 <= v <= 100 else "must be between 50 and 100"),
    Option("in_urls", "bool", "also report forms inside URLs and e-mail addresses", default=False),
]


@dataclass
class TermRule(Rule):
    preferred: str = ""
    variants: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    case_sensitive: bool = True
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

    def judge(self, found: str, roles: list[tuple[str, str]]) -> tuple[str, str] | None:
        """(problem, message) for a text matched as one of ``roles``' forms, or None if fine.

        ``roles`` are all (role, form) pairs whose pattern matched this span, so a span that
        equals the preferred form exactly is fine even when a variant differs only in case.
        """
        if self.common_word and found.islower():
            return None  # the ordinary word, not the product
        base = self._base(found)
        if base == self.preferred:
            return None
        values = {"found": found, "expected": self.preferred}
        if any(role == "retired" for role, _ in roles):
            return "retired", self.format("'{found}' is a retired name; use '{expected}'", **values)
        if base.lower() == self.preferred.lower():
            if not self.case_sensitive:
                return None
            if not any(role == "variant" and base == form for role, form in roles):
                return "case", self.format(
                    "Write '{expected}' with its capitalization, not '{found}'", **values)
        return "variant", self.format("Write '{expected}', not '{found}'", **values)

    def _base(self, found: str) -> str:
        """'CloudSyncs' -> 'CloudSync': a plural of one of the forms is that form."""
        forms = {f.lower() for _, f in self.forms()}
        for suffix in ("es", "s"):
            if found.lower().endswith(suffix) and found[: -len(suffix)].lower() in forms:
                return found[: -len(suffix)]
        return found


def compile_rule(raw: dict[str, Any], source: str) -> TermRule:
    return TermRule(
        **common_fields(raw, source),
        preferred=raw["preferred"],
        variants=raw.get("variants") or [],
        retired=raw.get("retired") or [],
        case_sensitive=raw["case_sensitive"],
        common_word=raw["common_word"],
        fuzzy=raw["fuzzy"],
        threshold=float(raw["threshold"]),
        in_urls=raw["in_urls"],
    )

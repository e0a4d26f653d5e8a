"""What every rule kind shares: identity, severity, message, scope, exceptions and examples.

Each kind (term.py, language.py, consistency.py, fact.py) declares ``KIND`` and ``OPTIONS`` (its
own keys); ``COMMON`` below is added to every kind's table, so one validator and one JSON Schema
cover them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import regex

from audit.documents import SCOPES
from audit.findings import SEVERITIES
from audit.options import Option
from audit.patterns import TimedPattern, timed

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _check_id(value: Any) -> str | None:
    if not _ID.match(str(value)):
        return "must be lower-case letters, digits, '-', '_' or '.' (e.g. 'product-name')"
    return None


def _check_regions(value: Any) -> str | None:
    bad = [r for r in value or [] if r not in SCOPES]
    if bad:
        return f"names unknown region {bad[0]!r}; expected one of {', '.join(SCOPES)}"
    return None


TESTS = [
    Option("match", "strings", "texts in which the rule must report something"),
    Option("no_match", "strings", "texts in which the rule must report nothing"),
    Option("values", "maps", "fact rules: texts and the normalized value they must yield",
           table=[Option("text", "str", "the example text", required=True),
                  Option("value", "any", "the normalized value (or display form) it must yield",
                         required=True)]),
]

COMMON = [
    Option("id", "str", "unique id of the rule, used in findings and the ignore list",
           required=True, check=_check_id),
    Option("kind", "choice", "the rule kind", required=True,
           choices=("term", "language", "consistency", "fact")),
    Option("severity", "choice", "how bad a finding is", default="warning", choices=SEVERITIES),
    Option("message", "str", "the finding's message; {found} and {expected} are filled in"),
    Option("description", "str", "why the rule exists (shown in the report and SARIF)"),
    Option("touchpoints", "strings", "only audit these touchpoints (names from touchaudit.yaml)"),
    Option("urls", "regexes", "only audit URLs or paths matching one of these patterns"),
    Option("exclude_urls", "regexes", "never audit URLs or paths matching these patterns"),
    Option("regions", "strings", "only audit these regions", check=_check_regions),
    Option("exclude_regions", "strings", "never audit these regions", check=_check_regions),
    Option("after", "date", "only audit documents dated on or after this day (YYYY-MM-DD); "
           "undated documents count as current"),
    Option("before", "date", "only audit documents dated before this day (YYYY-MM-DD); "
           "undated documents count as current, so they are left out"),
    Option("exceptions", "forms", "phrases in which a match is allowed (in any case unless the "
           "form says ignorecase: false; patterns too)"),
    Option("allow_in", "regexes", "patterns searched in the sentence around a match; where one is "
           "found the match is allowed (a retired name in 'X is now part of Y': 'is now part of')"),
    Option("tests", "map", "examples the rule must (and must not) report; run by 'rules test'",
           table=TESTS),
]


@dataclass
class Rule:
    """A validated rule of any kind. Kind modules subclass it with their own fields."""

    id: str
    kind: str
    severity: str
    message: str | None
    source: str  # file:line of the rule, for messages about it
    description: str | None = None
    touchpoints: list[str] = field(default_factory=list)
    urls: list[TimedPattern] = field(default_factory=list)
    exclude_urls: list[TimedPattern] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    exclude_regions: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    allow_in: list[TimedPattern] = field(default_factory=list)
    tests: dict[str, Any] = field(default_factory=dict)
    after: str | None = None
    before: str | None = None

    def applies_to(self, touchpoint: str, url: str, date: str | None = None) -> bool:
        """Whether the rule audits this document at all (``date``: the page's, YYYY-MM-DD)."""
        if self.touchpoints and touchpoint not in self.touchpoints:
            return False
        if self.after and date and date < self.after:
            return False
        if self.before and (not date or date >= self.before):
            return False
        if self.urls and not any(p.search(url) for p in self.urls):
            return False
        return not any(p.search(url) for p in self.exclude_urls)

    def applies_to_region(self, region: str) -> bool:
        return self.applies_in(frozenset((region,)))

    def applies_in(self, scopes: frozenset[str]) -> bool:
        """Whether the rule audits text that is in all of ``scopes`` (its region, or nav/footer
        for chrome found by repetition, plus link/button/quote when it is one)."""
        if self.regions and scopes.isdisjoint(self.regions):
            return False
        return scopes.isdisjoint(self.exclude_regions)

    def excepted(self, text: str, start: int, end: int, lower_text: str | None = None) -> bool:
        """Whether the match at [start, end) lies inside one of the rule's exception phrases
        (in any case unless the exception says ``ignorecase: false``; a pattern anywhere
        around the match)."""
        lower_text = text.lower() if lower_text is None else lower_text
        for phrase in self.exceptions:
            if getattr(phrase, "pattern", False):
                window = max(0, start - 200)
                for m in phrase.compiled(True).finditer(text, window, min(len(text), end + 200)):
                    if m.start() <= start and m.end() >= end:
                        return True
                continue
            exact = getattr(phrase, "ignorecase", None) is False
            hay, p = (text, str(phrase)) if exact else (lower_text, phrase.lower())
            i = hay.find(p, max(0, start - len(p)))
            while 0 <= i <= start:
                if i + len(p) >= end:
                    return True
                i = hay.find(p, i + 1)
        return False

    def allowed_in(self, sentence: str) -> bool:
        """Whether one of the rule's ``allow_in`` patterns is in the sentence around a match."""
        return any(p.search(sentence) for p in self.allow_in)

    def format(self, default: str, **values: Any) -> str:
        template = self.message or default
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template


def common_fields(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """The Rule base fields from a validated mapping."""
    return {
        "id": raw["id"],
        "kind": raw["kind"],
        "severity": raw["severity"],
        "message": raw.get("message"),
        "description": raw.get("description"),
        "source": source,
        "touchpoints": raw.get("touchpoints") or [],
        "urls": [timed(p) for p in raw.get("urls") or []],
        "exclude_urls": [timed(p) for p in raw.get("exclude_urls") or []],
        "regions": raw.get("regions") or [],
        "exclude_regions": raw.get("exclude_regions") or [],
        "exceptions": raw.get("exceptions") or [],
        "allow_in": [timed(p, regex.IGNORECASE) for p in raw.get("allow_in") or []],
        "after": raw.get("after"),
        "before": raw.get("before"),
        "tests": {k: v for k, v in (raw.get("tests") or {}).items() if not k.startswith("_") and v},
    }


def lower_severity(severity: str) -> str:
    """One step less severe: near-misses are reported below the rule's own severity."""
    return {"error": "warning", "warning": "info"}.get(severity, "info")

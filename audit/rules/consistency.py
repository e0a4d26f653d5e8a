"""Consistency rules: alternatives of which one should be used everywhere ("email"/"e-mail").

The per-document pass only counts which alternative each touchpoint uses; one finding per rule
is made at the end, over the whole crawl, naming the alternatives, their counts per touchpoint
and the places where the one not chosen is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit.options import Option
from audit.rules.base import Rule, common_fields

KIND = "consistency"


def _two_or_more(value: Any) -> str | None:
    return None if len(value) >= 2 else "must list at least two alternatives"


OPTIONS = [
    Option("alternatives", "forms", "the competing phrasings", required=True,
           check=_two_or_more),
    Option("prefer", "str", "the alternative to use (default: the one used most)"),
    Option("ignorecase", "bool", "the alternatives match in any case", default=True),
    Option("lemma", "bool", "match every inflection of the alternatives", default=True),
]


@dataclass
class ConsistencyRule(Rule):
    alternatives: list[str] = field(default_factory=list)
    prefer: str | None = None
    ignorecase: bool = True
    lemma: bool = True


def compile_rule(raw: dict[str, Any], source: str) -> ConsistencyRule:
    return ConsistencyRule(
        **common_fields(raw, source),
        alternatives=raw["alternatives"],
        prefer=raw.get("prefer"),
        ignorecase=raw["ignorecase"],
        lemma=raw["lemma"],
    )

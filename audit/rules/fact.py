"""Fact rules: a fact (trial length, a price, the support phone) stated across touchpoints.

Filled in by the facts issue; until then this kind declares its table so files validate.
"""

from __future__ import annotations

from typing import Any

from audit.options import Option
from audit.rules.base import Rule, common_fields

KIND = "fact"

OPTIONS: list[Option] = []


def compile_rule(raw: dict[str, Any], source: str) -> Rule:
    return Rule(**common_fields(raw, source))


class FactCollector:
    """Collects fact observations during the pass; makes fact findings at the end."""

    def __init__(self, rules: list[Rule], phone_region: str = "US"):
        self.rules = rules
        self.phone_region = phone_region
        self.observations: list[Any] = []

    def __bool__(self) -> bool:
        return bool(self.rules)

    def observe(self, doc: Any, region: Any, sdoc: Any, scope_ok: Any) -> None:
        return None

    def finish(self) -> list[Any]:
        return []

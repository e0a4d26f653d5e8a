"""Fact value types: find candidate values in stored text and normalize them for comparison.

Each type (one module each) follows :class:`audit.facts.base.ValueType`. Fact rules look a type
up by the name a rule file gives (``type: money``) with :func:`value_type`.
"""

from __future__ import annotations

from audit.facts import date, duration, email, money, number, percent, phone, text, url
from audit.facts.base import Value, ValueType

TYPES: dict[str, ValueType] = {
    m.TYPE.name: m.TYPE for m in (money, duration, percent, phone, email, url, date, number, text)
}


def value_type(name: str) -> ValueType:
    """The value type called ``name``; KeyError names the known ones (for rule validation)."""
    try:
        return TYPES[name]
    except KeyError:
        raise KeyError(f"unknown value type {name!r}; expected one of {', '.join(TYPES)}") from None


__all__ = ["TYPES", "Value", "ValueType", "value_type"]

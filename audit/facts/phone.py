"""Phone numbers, normalized to E.164 so "(415) 555-0100" equals "+1 415 555 0100".

``phonenumbers`` (Google's libphonenumber) finds them: it knows each country's number lengths
and valid ranges, so years, prices and dates are not numbers it accepts.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberFormat

from audit.facts.base import Value, keep
from audit.options import Option

_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:ext\.?|x|#)\s*\d+)?", re.IGNORECASE)

# Part of a longer token ("Chrome/85.0.4183.121", "v1.415.555.0100"): a version or an id, not a number.
_GLUED_BEFORE = re.compile(r"[\w/.]")
_GLUED_AFTER = re.compile(r"\.?\w")
_VERSION = re.compile(r"\d{1,3}(?:\.\d+){3,}")


class Phone:
    """Phone numbers; the value is E.164 ("+14155550100"), ";ext=12" added for an extension."""

    name = "phone"
    options = [
        Option("region", "str", "country (ISO 3166 code) of numbers written without a +country code",
               default="US", check=lambda v: None if v.upper() in phonenumbers.SUPPORTED_REGIONS
               else f"must be a two-letter country code such as US, GB or DE; got {v!r}"),
    ]

    def find(self, text: str, **options: Any) -> list[Value]:
        region = str(options.get("region") or "US").upper()
        found = []
        for m in phonenumbers.PhoneNumberMatcher(text, region):
            # A bare run of digits in prose ("order 4155550100") is more often an id than a number.
            if m.raw_string.isdigit() or _VERSION.fullmatch(m.raw_string):
                continue
            if (m.start and _GLUED_BEFORE.match(text, m.start - 1)) or _GLUED_AFTER.match(text, m.end):
                continue
            found.append(_value(m.start, m.end, m.raw_string, m.number))
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        """One number: schema.org "telephone", a tel: link or an expected value, digits alone allowed."""
        if not isinstance(text, str):
            return None
        s = text.strip()
        if s.lower().startswith("tel:"):
            s = s[4:]
        if not _PHONE_CHARS.fullmatch(s):
            return None
        try:
            number = phonenumbers.parse(s, str(options.get("region") or "US").upper())
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        start = text.index(s)
        return _value(start, start + len(s), s, number)

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def _value(start: int, end: int, raw: str, number: phonenumbers.PhoneNumber) -> Value:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.extension:
        e164 += f";ext={number.extension}"
    return Value(start, end, raw, e164, phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL))


TYPE = Phone()

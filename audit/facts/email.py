"""Email addresses, lower-cased: "Support@Acme.com" and "support@acme.com" are one address.

Addresses inside a web URL ("…?email=a@b.com", "https://user@host") are part of that URL, not an
address the text gives; a ``mailto:`` link is an address.
"""

from __future__ import annotations

import re
from typing import Any

from audit.facts.base import Value, keep, parse_whole
from audit.options import Option

EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b(?![.-]?\w)"
)
_URL_BEFORE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*$", re.IGNORECASE)


class Email:
    """Contact addresses: support, billing, privacy."""

    name = "email"
    options: list[Option] = []

    def find(self, text: str, **options: Any) -> list[Value]:
        found = []
        for m in EMAIL.finditer(text):
            if _URL_BEFORE.search(text, max(0, m.start() - 300), m.start()):
                continue
            address = m.group(0).lower()
            found.append(Value(m.start(), m.end(), m.group(0), address, address))
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        if isinstance(text, str) and text.strip().lower().startswith("mailto:"):
            s = text.strip()
            v = parse_whole(self.find, s[7:].split("?")[0], **options)
            if v is None:
                return None
            offset = text.index(s) + 7
            return Value(v.start + offset, v.end + offset, v.text, v.value, v.display)
        return parse_whole(self.find, text, **options)

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


TYPE = Email()

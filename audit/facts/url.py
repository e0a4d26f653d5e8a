"""URLs, canonicalized so "https://Acme.com/pricing/?utm_source=x" equals "https://acme.com/pricing".

``w3lib.url.canonicalize_url`` (Scrapy's own) sorts the query, drops the fragment, fixes
percent-encoding and lower-cases the host; on top of it tracking parameters, default ports and a
trailing slash on the path are dropped, since none of them changes the page a reader reaches.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from audit.facts.base import Value, keep, parse_whole
from audit.options import Option

URL = re.compile(r"(?:\bhttps?://|(?<![\w@/.-])www\.)[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
BARE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
TRACKING = re.compile(r"^(?:utm_\w+|gclid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok)$",
                      re.IGNORECASE)
_TRAILING = ".,;:!?'\"…"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class Url:
    """Web addresses (http, https and www.); bare domains only in parse()."""

    name = "url"
    options: list[Option] = []

    def find(self, text: str, **options: Any) -> list[Value]:
        found = []
        for m in URL.finditer(text):
            end = m.start() + len(_trim(m.group(0)))
            written = text[m.start() : end]
            value = canonical(written)
            if value is not None:
                found.append(Value(m.start(), end, written, value, value))
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        """One URL; a bare domain ("acme.com/pricing", a rule's expected value) is taken as https."""
        v = parse_whole(self.find, text, **options)
        if v is None and isinstance(text, str) and BARE.fullmatch(text.strip()):
            s = text.strip()
            value = canonical(s)
            start = text.index(s)
            v = Value(start, start + len(s), s, value, value) if value else None
        return v

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def _trim(url: str) -> str:
    """Drop sentence punctuation after a URL, and a ")" that closes a parenthesis around it."""
    while url and url[-1] in _TRAILING + ")":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def canonical(url: str) -> str | None:
    """The canonical form of ``url``; None when it has no host."""
    if not re.match(r"[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url
    try:
        parts = urlsplit(canonicalize_url(url))
    except ValueError:
        return None
    if not parts.hostname:
        return None
    netloc = parts.netloc.lower()
    if parts.port is not None and str(parts.port) == _DEFAULT_PORTS.get(parts.scheme):
        netloc = netloc.rsplit(":", 1)[0]
    path = parts.path.rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING.match(k)])
    return urlunsplit((parts.scheme, netloc, path, query, ""))


TYPE = Url()

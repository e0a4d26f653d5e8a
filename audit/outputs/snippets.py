"""How a location is shown: its sentence split around the match, and whether its URL may be a link.

Both work on untrusted text and only return plain strings; escaping is the template's job.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urlsplit

from audit.findings import Location

CONTEXT = 160  # characters kept either side of the match in a displayed snippet


def highlight(loc: Location, context: int = CONTEXT) -> tuple[str, str, str]:
    """(before, match, after) of the snippet, from the region offsets of the location.

    The snippet is region text starting at ``snippet_start``, so the match sits at
    ``start - snippet_start``. When the offsets do not fit the snippet (or there is no snippet)
    the matched text is searched for, and failing that shown alone.
    """
    snippet = loc.snippet or ""
    a, b = loc.start - loc.snippet_start, loc.end - loc.snippet_start
    if not (0 <= a <= b <= len(snippet)) or (loc.text and snippet[a:b] != loc.text):
        found = snippet.find(loc.text) if loc.text else -1
        if found < 0:
            return "", loc.text, ""
        a, b = found, found + len(loc.text)
    before, match, after = snippet[:a], snippet[a:b], snippet[b:]
    if len(before) > context:
        before = "…" + before[-context:]
    if len(after) > context:
        after = after[:context] + "…"
    return before, match, after


@functools.lru_cache(maxsize=8192)  # a report names each page's URL once per place on it
def safe_href(url: str) -> str | None:
    """The URL itself when it is http(s) with a host; None for anything else (file paths too)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and url == url.strip():
        return url
    return None


# Our own suffixes for one message of an mbox and a message carried by another: #message=N#part=M.
_PARTS = re.compile(r"(?:#(?:message|part)=\d+)+$")


@functools.lru_cache(maxsize=8192)
def location_uri(url: str) -> str:
    """A valid URI reference for a location: a page's URL as it is; a file's path (relative to
    the config folder) percent-encoded, since a ``#``, ``|``, ``[``, ``]``, space or ``\\xNN``
    escape in a file name is part of the name, then its ``#message=N``/``#part=N`` fragment."""
    if safe_href(url):
        return url
    part = _PARTS.search(url)
    path, suffix = (url[:part.start()], part.group(0)) if part else (url, "")
    return quote(path, safe="/.-_~") + suffix

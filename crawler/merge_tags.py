"""Keep template syntax out of an HTML parser's way, then put it back as merge tags.

``<a href="{{ url_for("reset") }}">`` or ``<%= if ee?() do %><p>…</p><% end %>`` is not HTML: a
parser reads the inner quotes or the ``<`` as markup and drops the text after them. ``protect``
swaps each merge tag (audit.text.MERGE_TAG) for one private-use character (length 1, never
white space, so normalization and offsets are unaffected); ``restore`` turns each back into ``…``
and records the original tag at that offset, exactly as audit.text.clean does for plain text.
"""

from __future__ import annotations

import re
from typing import Any

from audit.text import ELLIPSIS, MERGE_TAG

_BASE = 0xF0000  # Supplementary Private Use Area-A: 65,534 slots, never real text
_SLOTS = re.compile("[\U000f0000-\U000ffffd]")


def protect(source: str, pattern: re.Pattern[str] = MERGE_TAG) -> tuple[str, list[str]]:
    """``source`` with each merge tag replaced by a slot character, and the tags in slot order."""
    tags: list[str] = []

    def slot(m: re.Match[str]) -> str:
        if len(tags) >= 0xFFFE:
            return m.group(0)
        tags.append(m.group(0))
        return chr(_BASE + len(tags) - 1)

    # A private-use character already in the source is no text a reader sees.
    return pattern.sub(slot, _SLOTS.sub("\ufffd", source)), tags


def restore(text: str, found: list[tuple[str, int]], tags: list[str]) -> tuple[str, list[tuple[str, int]]]:
    """Slots in ``text`` become ``…``; their tags join ``found`` (tags met later), by offset."""
    if not tags or not _SLOTS.search(text):
        return text, found
    out: list[str] = []
    merged = list(found)
    for i, ch in enumerate(text):
        n = ord(ch) - _BASE
        if 0 <= n < len(tags):
            out.append(ELLIPSIS)
            merged.append((tags[n], i))
        else:
            out.append(ch)
    return "".join(out), sorted(merged, key=lambda t: t[1])


def restore_data(data: Any, tags: list[str]) -> Any:
    """Parsed JSON-LD with each slot back to its original tag (structured data keeps the tag)."""
    if isinstance(data, str):
        return _SLOTS.sub(lambda m: tags[ord(m.group(0)) - _BASE] if ord(m.group(0)) - _BASE < len(tags)
                          else m.group(0), data)
    if isinstance(data, list):
        return [restore_data(x, tags) for x in data]
    if isinstance(data, dict):
        return {k: restore_data(v, tags) for k, v in data.items()}
    return data

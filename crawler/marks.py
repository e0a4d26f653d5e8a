"""Inline marks: link text, buttons, quotations and code kept in their sentence as ranges.

While a page is walked, every text fragment inside such an element is wrapped in a pair of
private-use characters of its own (so a mark never spans two blocks and is never left open);
``take_marks`` removes them from the stored text and returns the ranges (documents.MARKS).
"""

from __future__ import annotations

import re

Tags = list[tuple[str, int]]

# Private-use marks around inline ranges, taken out again by take_marks. Every text fragment is
# wrapped on its own, so a mark never spans two blocks and is never left open.
MARK_CHARS = {"code": ("\ue000", "\ue001"), "link": ("\ue002", "\ue003"),
              "button": ("\ue004", "\ue005"), "quote": ("\ue006", "\ue007")}


_OPEN = {o: name for name, (o, _) in MARK_CHARS.items()}


_CLOSE = {c: name for name, (_, c) in MARK_CHARS.items()}


ANY_MARK = re.compile("[\ue000-\ue007]")


def take_marks(text: str, tags: Tags) -> tuple[str, Tags, dict[str, list[tuple[int, int]]]]:
    """Remove the inline marks from stored text: (text, merge tags re-offset, ranges per mark).

    Ranges of one kind that touch or are separated only by white space are merged, so a link
    written as ``Start <b>free</b> trial`` is one range.
    """
    if not ANY_MARK.search(text):
        return text, tags, {}
    out: list[str] = []
    shift: list[int] = []  # for each input offset, the output offset
    ranges: dict[str, list[tuple[int, int]]] = {}
    depth: dict[str, int] = {}
    start: dict[str, int] = {}
    for ch in text:
        shift.append(len(out))
        if ch in _OPEN:
            name = _OPEN[ch]
            depth[name] = depth.get(name, 0) + 1
            if depth[name] == 1:
                start[name] = len(out)
        elif ch in _CLOSE:
            name = _CLOSE[ch]
            depth[name] = max(0, depth.get(name, 0) - 1)
            if depth[name] == 0 and name in start and len(out) > start[name]:
                ranges.setdefault(name, []).append((start.pop(name), len(out)))
        else:
            out.append(ch)
    shift.append(len(out))
    result = "".join(out)
    merged: dict[str, list[tuple[int, int]]] = {}
    for name, found in ranges.items():
        joined: list[tuple[int, int]] = []
        for s, e in sorted(found):
            if joined and (s <= joined[-1][1] or (not result[joined[-1][1]:s].strip()
                                                   and "\n" not in result[joined[-1][1]:s])):
                joined[-1] = (joined[-1][0], max(e, joined[-1][1]))
            else:
                joined.append((s, e))
        merged[name] = joined
    return result, [(tag, shift[pos]) for tag, pos in tags], merged

"""Template chrome found by repetition: the blocks a touchpoint's pages share.

A footer built from plain ``<div>``s has no tag or class word that says "footer", but it is the
same on every page. Before the audit pass, one read of the crawl counts on how many pages of its
touchpoint each block (a line of a region's text) appears; the audit then

- reads a *repeated* block (on at least ``MIN_PAGES`` pages) once: a finding inside it is one
  finding for the block, listing its pages, whatever page it was first read on;
- treats a repeated block of the body or headings as *chrome* when the page's layout says so:
  it is on at least ``CHROME_SHARE`` of the touchpoint's pages, or it stands in a run of at
  least ``RUN`` chrome or repeated blocks (a footer's columns, a menu), or before or after all
  of the page's own text (a banner on top, a call to action at the bottom). Chrome above the
  page's own text scopes as ``nav``, the rest as ``footer``, so ``exclude_regions: [nav,
  footer]`` removes it like tagged chrome.

A block that repeats because it is content (a legal sentence on two pages, the same tagline in
the middle of three landing pages) is not chrome: fewer than ``MIN_PAGES`` pages, or alone among
the page's own text. Blocks are compared with case folded and digits as 0, so a footer that
differs only in a year or a counter is one block.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from audit.documents import Block, Document, Region

MIN_PAGES = 3  # a block on fewer pages is the page's own text
CHROME_SHARE = 0.5  # a repeated block on at least this share of its touchpoint's pages is chrome
RUN = 3  # ... and so is one in a run of this many repeated or chrome blocks
FLOW_REGIONS = ("heading", "body", "nav", "footer")  # the regions in a page's reading order
CHROME_REGIONS = ("nav", "footer")

_DIGITS = re.compile("[1-9]")


def block_text_key(text: str) -> str:
    """What two blocks must share to be one: their text (stored with white space folded), case
    folded, every digit as 0. (A regex, not str.translate: translate leaves its fast path on the
    first non-ASCII character, and one © makes it 50x slower.)"""
    return _DIGITS.sub("0", text.casefold())


def block_digest(text: str) -> str:
    """A block's identity across runs (for fingerprints)."""
    return hashlib.sha256(block_text_key(text).encode()).hexdigest()[:16]


class Place(NamedTuple):
    """A block of one page as the audit sees it (a tuple: a page has hundreds of them)."""

    start: int
    end: int
    key: str  # block_text_key of its text
    pages: int  # on how many pages of the touchpoint it is (1: only here)
    scope: str  # the region rules scope it by: its own, or nav/footer for chrome found here
    block: Block

    @property
    def repeated(self) -> bool:
        return self.pages >= MIN_PAGES


@dataclass
class Chrome:
    """Block counts of a crawl, per touchpoint; ``layout`` lays a page out with them."""

    pages: Counter[str] = field(default_factory=Counter)  # touchpoint -> documents
    blocks: dict[str, Counter[str]] = field(default_factory=dict)  # touchpoint -> key -> pages

    def add(self, touchpoint: str, texts: Iterable[str]) -> None:
        """Count one document's blocks, each once per page, from its regions' texts (a block is a
        line of a region's text)."""
        self.pages[touchpoint] += 1
        keys = {line for text in texts for line in block_text_key(text).split("\n")}
        keys.discard("")
        self.blocks.setdefault(touchpoint, Counter()).update(keys)

    def layout(self, doc: Document) -> dict[str, Layout]:
        """Each region's blocks with their page counts and scopes, chrome decided on the page's
        layout."""
        layouts: dict[str, Layout] = {}
        flow: list[tuple[int, str, int]] = []  # (reading order, region, index) of FLOW_REGIONS blocks
        tp = doc.touchpoint
        counts = self.blocks.get(tp)
        counted = bool(counts)
        for region in doc.regions:
            lines = region.text.split("\n")
            if counts:
                pages = [counts.get(key, 1) for key in block_text_key(region.text).split("\n")]
            else:
                pages = [1] * len(lines)
            layouts[region.name] = Layout(region, lines, pages)
            if counted and region.name in FLOW_REGIONS:
                order = region.reading_order()
                if len(order) != len(lines):  # blocks are lines by construction; never trust it blindly
                    order = [-1] * len(lines)
                flow.extend((seq if seq >= 0 else _fallback_order(region.name, i), region.name, i)
                            for i, seq in enumerate(order))
        if flow:
            flow.sort()
            for name, i, scope in self._chrome(tp, [(name, i) for _, name, i in flow], layouts):
                layouts[name].scopes[i] = scope
        return layouts

    def _chrome(self, touchpoint: str, flow: list[tuple[str, int]],
                layouts: dict[str, Layout]) -> list[tuple[str, int, str]]:
        """(region, index, nav|footer) of the body and heading blocks that are chrome."""
        share = CHROME_SHARE * self.pages.get(touchpoint, 1)
        tagged = [name in CHROME_REGIONS for name, _ in flow]
        pages = [layouts[name].pages[i] for name, i in flow]
        marked = [t or p >= MIN_PAGES for t, p in zip(tagged, pages, strict=True)]
        own = [i for i, m in enumerate(marked) if not m]
        first_own = own[0] if own else len(flow)
        last_own = own[-1] if own else -1
        in_run = _runs(marked, RUN)
        found = []
        for i, (name, index) in enumerate(flow):
            if tagged[i] or pages[i] < MIN_PAGES:
                continue
            if pages[i] >= share or in_run[i] or i < first_own or i > last_own:
                found.append((name, index, "nav" if i < first_own else "footer"))
        return found


def _runs(marked: list[bool], length: int) -> list[bool]:
    """For each position, whether it is in a run of at least ``length`` marked positions."""
    out = [False] * len(marked)
    i = 0
    while i < len(marked):
        if not marked[i]:
            i += 1
            continue
        j = i
        while j < len(marked) and marked[j]:
            j += 1
        if j - i >= length:
            out[i:j] = [True] * (j - i)
        i = j
    return out


def _fallback_order(region: str, index: int) -> int:
    """Reading order for regions stored without it (older stores): nav, headings and body
    interleaved as best known, footer last."""
    base = {"nav": 0, "heading": 1, "body": 1, "footer": 2}[region]
    return base * 10**6 + index


def learn(documents: Iterable[Document]) -> Chrome:
    """Count the blocks of a crawl's documents (one read, before the audit pass)."""
    return learn_texts((doc.touchpoint, [r.text for r in doc.regions]) for doc in documents)


def learn_texts(pages: Iterable[tuple[str, list[str]]]) -> Chrome:
    """The same from (touchpoint, region texts) rows, as the store yields them without building
    documents (audit/store.py ``iter_texts``)."""
    chrome = Chrome()
    for touchpoint, texts in pages:
        chrome.add(touchpoint, texts)
    return chrome


class Layout:
    """One region's blocks (its lines) as the audit sees them: on how many pages each is, and the
    region rules scope it by; ``at`` finds the block of a match."""

    def __init__(self, region: Region, lines: list[str], pages: list[int]):
        self.region = region
        self.lines = lines
        self.pages = pages
        self.scopes = [region.name] * len(lines)  # nav or footer where chrome is found
        self.starts: list[int] = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            pos += len(line) + 1

    @classmethod
    def flat(cls, region: Region) -> Layout:
        """A region audited on its own (rule examples): its blocks, none repeated."""
        lines = region.text.split("\n")
        return cls(region, lines, [1] * len(lines))

    def place(self, i: int) -> Place:
        start, end = self.starts[i], self.starts[i] + len(self.lines[i])
        key = block_text_key(self.lines[i]) if self.pages[i] >= MIN_PAGES else ""
        return Place(start, end, key, self.pages[i], self.scopes[i], self.region.block(i, start, end))

    @property
    def places(self) -> list[Place]:
        return [self.place(i) for i in range(len(self.lines))]

    def at(self, start: int) -> Place | None:
        """The place holding the offset ``start``, or None."""
        i = bisect_right(self.starts, start) - 1
        return self.place(i) if i >= 0 and start <= self.starts[i] + len(self.lines[i]) else None

    def where(self, place: Place | None, start: int, end: int) -> frozenset[str]:
        """Every name a rule's ``regions`` may use for text at ``[start, end)``: the region (nav
        or footer for chrome found by repetition) and the marks it is in (link, button, quote)."""
        base = place.scope if place is not None else self.region.name
        if not self.region.marks:
            return frozenset((base,))
        return frozenset((base, *self.region.marked(start, end)))

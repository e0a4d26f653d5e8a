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

from audit.documents import Block, Document, Region

MIN_PAGES = 3  # a block on fewer pages is the page's own text
CHROME_SHARE = 0.5  # a repeated block on at least this share of its touchpoint's pages is chrome
RUN = 3  # ... and so is one in a run of this many repeated or chrome blocks
REPEAT_REGIONS = ("heading", "body", "nav", "footer")
CHROME_REGIONS = ("nav", "footer")

_DIGITS = re.compile(r"\d+")


def block_text_key(text: str) -> str:
    """What two blocks must share to be one: their text, case folded, digits as 0."""
    return _DIGITS.sub("0", " ".join(text.casefold().split()))


def block_digest(text: str) -> str:
    """A block's identity across runs (for fingerprints)."""
    return hashlib.sha256(block_text_key(text).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Place:
    """A block of one page as the audit sees it."""

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
    """Block counts of a crawl, per touchpoint; ``layout`` gives each page's blocks as Places."""

    pages: Counter[str] = field(default_factory=Counter)  # touchpoint -> documents
    blocks: Counter[tuple[str, str]] = field(default_factory=Counter)  # (touchpoint, key) -> pages

    def add(self, doc: Document) -> None:
        """Count one document's blocks (each once per page)."""
        self.pages[doc.touchpoint] += 1
        keys = {block_text_key(r.text[b.start:b.end]) for r in doc.regions if r.name in REPEAT_REGIONS
                for b in r.lines()}
        keys.discard("")
        self.blocks.update((doc.touchpoint, k) for k in keys)

    def count(self, touchpoint: str, key: str) -> int:
        return self.blocks.get((touchpoint, key), 1)

    def layout(self, doc: Document) -> dict[str, Layout]:
        """Each region's blocks as Places, chrome decided on the page's layout."""
        out: dict[str, list[Place]] = {}
        flow: list[tuple[int, str, int, Place]] = []  # (reading order, region, index, place)
        for region in doc.regions:
            places = []
            for i, b in enumerate(region.lines()):
                key = block_text_key(region.text[b.start:b.end])
                place = Place(b.start, b.end, key, self.count(doc.touchpoint, key), region.name, b)
                places.append(place)
                if region.name in REPEAT_REGIONS:
                    order = b.seq if b.seq >= 0 else _fallback_order(region.name, i)
                    flow.append((order, region.name, i, place))
            out[region.name] = places
        flow.sort(key=lambda t: (t[0], t[1], t[2]))
        for name, i, scope in self._chrome(doc.touchpoint, [(r, i, p) for _, r, i, p in flow]):
            p = out[name][i]
            out[name][i] = Place(p.start, p.end, p.key, p.pages, scope, p.block)
        return {r.name: Layout(r, out[r.name]) for r in doc.regions}

    def _chrome(self, touchpoint: str, flow: list[tuple[str, int, Place]]) -> list[tuple[str, int, str]]:
        """(region, index, nav|footer) of the body and heading blocks that are chrome."""
        total = self.pages.get(touchpoint, 1)
        marked = [p.scope in CHROME_REGIONS or p.repeated for _, _, p in flow]
        own = [i for i, (_, _, p) in enumerate(flow) if not marked[i]]
        first_own = own[0] if own else len(flow)
        last_own = own[-1] if own else -1
        in_run = _runs(marked, RUN)
        found = []
        for i, (region, index, p) in enumerate(flow):
            if p.scope in CHROME_REGIONS or not p.repeated:
                continue
            if (p.pages >= CHROME_SHARE * total or in_run[i] or i < first_own or i > last_own):
                found.append((region, index, "nav" if i < first_own else "footer"))
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
    chrome = Chrome()
    for doc in documents:
        chrome.add(doc)
    return chrome


class Layout:
    """The places of one region, to find the block of a match and the scopes rules see there."""

    def __init__(self, region: Region, places: list[Place]):
        self.region = region
        self.places = places
        self.starts = [p.start for p in places]

    @classmethod
    def flat(cls, region: Region) -> Layout:
        """A region audited on its own (rule examples): its blocks, none repeated."""
        return cls(region, [Place(b.start, b.end, "", 1, region.name, b) for b in region.lines()])

    def at(self, start: int) -> Place | None:
        """The place holding the offset ``start``, or None."""
        i = bisect_right(self.starts, start) - 1
        return self.places[i] if i >= 0 and start <= self.places[i].end else None

    def scopes(self, place: Place | None, start: int, end: int) -> frozenset[str]:
        """Every name a rule's ``regions`` may use for text at ``[start, end)``: the region (nav
        or footer for chrome found by repetition) and the marks it is in (link, button, quote)."""
        base = place.scope if place is not None else self.region.name
        marked = self.region.marked(start, end) if self.region.marks else ()
        return frozenset((base, *marked))

"""The records a crawl produces: Crawl, Document (with its Regions) and Failure.

These are the shapes the crawler writes into the store and the audit reads back; neither side
knows anything else about the other. See docs/architecture.md.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# The fixed vocabulary of regions. Rules scope by these names; a spider never invents one.
REGIONS: tuple[str, ...] = (
    "title",
    "meta",
    "heading",
    "body",
    "nav",
    "footer",
    "alt",
    "jsonld",
    "subject",
    "preheader",
)

# Places inside a region's text that rules can also scope by: link text, buttons (calls to
# action) and quotations (testimonials, quoted press). They are ranges of a region, not regions.
MARKS: tuple[str, ...] = ("link", "button", "quote")

# Every name a rule's ``regions``/``exclude_regions`` may use.
SCOPES: tuple[str, ...] = REGIONS + MARKS

KINDS: tuple[str, ...] = ("website", "helpcenter", "email")

# Why a URL produced no document. Failures are data: counted, reported, in SARIF.
FAILURE_REASONS: tuple[str, ...] = (
    "http_4xx",
    "http_5xx",
    "timeout",
    "dns",
    "connection",
    "too_large",
    "redirect_loop",
    "soft_404",
    "robots",
    "not_html",
    "decode_error",
    "parse_error",
    "max_pages",  # an email touchpoint stopped at max_pages: this file and later ones were not read
    "not_stored",  # the store could not take the document (the rest of its batch was stored)
)

CRAWL_STATES: tuple[str, ...] = ("running", "complete", "interrupted")


class Block(NamedTuple):
    """One block of a region (a paragraph, list item, cell, heading…): one line of its text.

    It keeps what a reader sees around it: ``headings``, the headings above it in the document
    (outermost first); for a table cell its ``row`` and ``col`` headers; for a list item the
    ``lead`` sentence that introduces its list ("Plus includes:"). ``tag`` is the HTML element
    the text came from; ``seq`` its place in the page's reading order across regions; ``date``
    (YYYY-MM-DD) the date of the section it is in when its heading is a date (a changelog's
    "March 2021"). Offsets are into the region's text. (A tuple: a page has hundreds of them.)
    """

    start: int
    end: int
    tag: str = ""
    seq: int = -1
    headings: tuple[str, ...] = ()
    row: str | None = None
    col: str | None = None
    lead: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end}
        if self.tag:
            out["tag"] = self.tag
        if self.seq >= 0:
            out["seq"] = self.seq
        if self.headings:
            out["headings"] = list(self.headings)
        for key in ("row", "col", "lead", "date"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        return cls(int(d["start"]), int(d["end"]), d.get("tag", ""), int(d.get("seq", -1)),
                   tuple(d.get("headings", ())), d.get("row"), d.get("col"), d.get("lead"), d.get("date"))


@dataclass
class Region:
    """One region of a document: its name, its stored text, and what was taken out of it.

    ``merge_tags`` lists ``(tag, offset)`` pairs: each tag was replaced by ``…`` at ``offset``.
    ``data`` holds the parsed JSON-LD objects for the ``jsonld`` region. ``code`` lists the
    ``(start, end)`` ranges of the text that were code (``<code>``, ``<pre>``…): no rule
    matches inside them. ``marks`` lists, per name in MARKS, the ranges that were link text,
    buttons or quotations. ``blocks`` describes each line of the text (see Block), as extraction
    made them; read them with ``lines()`` (or ``block(i)``): a region read from the store makes
    its Blocks only when asked, and one stored without them (an older store, a page whose
    structure could not be read) is one plain block per line.
    """

    name: str
    text: str
    merge_tags: list[tuple[str, int]] = field(default_factory=list)
    data: Any = None
    code: list[tuple[int, int]] = field(default_factory=list)
    marks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    # Blocks as read from the store, made into Blocks only when asked for (most never are).
    _stored: list[dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def in_code(self, start: int, end: int) -> bool:
        return _overlaps(self.code, start, end)

    def marked(self, start: int, end: int) -> tuple[str, ...]:
        """The MARKS whose ranges overlap ``[start, end)``."""
        return tuple(name for name, ranges in self.marks.items() if _overlaps(ranges, start, end))

    def lines(self) -> list[Block]:
        """The blocks of the text: the stored ones, or one plain block per line."""
        if not self.blocks and self._stored:
            self.blocks, self._stored = [Block.from_dict(b) for b in self._stored], None
        if self.blocks:
            return self.blocks
        out, pos = [], 0
        for line in self.text.split("\n"):
            out.append(Block(pos, pos + len(line)))
            pos += len(line) + 1
        return out

    def block(self, i: int, start: int, end: int) -> Block:
        """Block ``i`` (the line at ``[start, end)``), without making the others."""
        if self.blocks:
            return self.blocks[i]
        if self._stored:
            return Block.from_dict(self._stored[i])
        return Block(start, end)

    def reading_order(self) -> list[int]:
        """Each line's place in the page's reading order across regions (-1: not known)."""
        if self.blocks:
            return [b.seq for b in self.blocks]
        if self._stored:
            return [int(b.get("seq", -1)) for b in self._stored]
        return [-1] * (self.text.count("\n") + 1)

    def __post_init__(self) -> None:
        if self.name not in REGIONS:
            raise ValueError(f"unknown region {self.name!r}; expected one of {', '.join(REGIONS)}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "text": self.text}
        if self.merge_tags:
            out["merge_tags"] = [list(t) for t in self.merge_tags]
        if self.data is not None:
            out["data"] = self.data
        if self.code:
            out["code"] = [list(r) for r in self.code]
        if self.marks:
            out["marks"] = {k: [list(r) for r in v] for k, v in self.marks.items()}
        if self.blocks:
            out["blocks"] = [b.to_dict() for b in self.blocks]
        elif self._stored:
            out["blocks"] = self._stored
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Region:
        region = cls(
            name=d["name"],
            text=d["text"],
            merge_tags=[(t, int(p)) for t, p in d.get("merge_tags", [])],
            data=d.get("data"),
            code=[(int(a), int(b)) for a, b in d.get("code", [])],
            marks={k: [(int(a), int(b)) for a, b in v] for k, v in d.get("marks", {}).items()},
        )
        region._stored = d.get("blocks") or None
        return region


def _overlaps(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether sorted, disjoint ``ranges`` overlap ``[start, end)``."""
    i = bisect_left(ranges, (end,)) - 1  # the last range starting before ``end``
    return i >= 0 and ranges[i][1] > start


@dataclass
class Document:
    """One page, article or email: where it came from and its text, region by region."""

    touchpoint: str
    kind: str
    url: str
    title: str = ""
    regions: list[Region] = field(default_factory=list)
    status: int | None = None
    fetched_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    crawl_id: int | None = None

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = text_hash(self.regions)

    def region(self, name: str) -> Region | None:
        return next((r for r in self.regions if r.name == name), None)

    @property
    def published(self) -> str | None:
        """The date (YYYY-MM-DD) the page says it was published, if it says one."""
        return self.extra.get("published")

    @property
    def updated(self) -> str | None:
        """The date (YYYY-MM-DD) the page says it was last updated, if it says one."""
        return self.extra.get("updated")

    @property
    def date(self) -> str | None:
        """The date rules scope by (``before:``/``after:``): when it was written, else updated."""
        return self.published or self.updated

    @property
    def word_count(self) -> int:
        return sum(len(r.text.split()) for r in self.regions)


@dataclass
class Failure:
    """A URL (or file) that produced no document, and why."""

    touchpoint: str
    url: str
    reason: str
    detail: str = ""
    status: int | None = None
    crawl_id: int | None = None

    def __post_init__(self) -> None:
        if self.reason not in FAILURE_REASONS:
            raise ValueError(f"unknown failure reason {self.reason!r}")


def text_hash(regions: list[Region]) -> str:
    """A hash of the audited text, so the same content under two URLs is stored once."""
    h = hashlib.sha256()
    for r in regions:
        h.update(r.name.encode())
        h.update(b"\0")
        h.update(r.text.encode("utf-8", "surrogatepass"))  # a lone surrogate must not lose the page
        h.update(b"\0")
    return h.hexdigest()[:32]


def jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of parsed JSON-LD, nested ones included (an Organization's contactPoint, a
    Product's offers), in document order: what the crawler dates a page by and facts read."""
    if isinstance(data, dict):
        yield data
        for v in data.values():
            yield from jsonld_objects(v)
    elif isinstance(data, list):
        for v in data:
            yield from jsonld_objects(v)

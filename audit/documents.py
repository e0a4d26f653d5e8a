"""The records a crawl produces: Crawl, Document (with its Regions) and Failure.

These are the shapes the crawler writes into the store and the audit reads back; neither side
knows anything else about the other. See docs/architecture.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

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
    "robots",
    "not_html",
    "decode_error",
    "parse_error",
)

CRAWL_STATES: tuple[str, ...] = ("running", "complete", "interrupted")


@dataclass
class Region:
    """One region of a document: its name, its stored text, and what was taken out of it.

    ``merge_tags`` lists ``(tag, offset)`` pairs: each tag was replaced by ``…`` at ``offset``.
    ``data`` holds the parsed JSON-LD objects for the ``jsonld`` region. ``code`` lists the
    ``(start, end)`` ranges of the text that were code (``<code>``, ``<pre>``…): no rule
    matches inside them.
    """

    name: str
    text: str
    merge_tags: list[tuple[str, int]] = field(default_factory=list)
    data: Any = None
    code: list[tuple[int, int]] = field(default_factory=list)

    def in_code(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.code)

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
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Region:
        return cls(
            name=d["name"],
            text=d["text"],
            merge_tags=[(t, int(p)) for t, p in d.get("merge_tags", [])],
            data=d.get("data"),
            code=[(int(a), int(b)) for a, b in d.get("code", [])],
        )


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
        h.update(r.text.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]

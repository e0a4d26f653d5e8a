"""The Finding model shared by every rule kind and every output.

A finding points back to exact places (Locations: region offsets into stored text); fact
findings also carry the Observations they grouped. Fingerprints identify a finding across runs
without offsets or row ids (see docs/architecture.md, "Identity across runs").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info 0 < warning 1 < error 2
FINDING_KINDS: tuple[str, ...] = ("term", "language", "fact")
STATUSES: tuple[str, ...] = ("new", "open", "fixed", "ignored")


@dataclass
class Location:
    """Where a text was found: offsets refer to the stored region text."""

    touchpoint: str
    url: str
    region: str
    start: int
    end: int
    text: str
    snippet: str = ""
    snippet_start: int = 0  # offset of the snippet in the region text, to highlight in it
    title: str = ""
    headings: list[str] = field(default_factory=list)  # the headings above it on the page
    chrome: str = ""  # nav or footer: template chrome found by repetition (audit/chrome.py)
    pages: int = 1  # how many pages of the touchpoint show this block (chrome: all of them)

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: that walks and deep-copies every field, and a large
        # run turns hundreds of thousands of locations into JSON (store, cache, outputs).
        return {"touchpoint": self.touchpoint, "url": self.url, "region": self.region,
                "start": self.start, "end": self.end, "text": self.text, "snippet": self.snippet,
                "snippet_start": self.snippet_start, "title": self.title, "headings": list(self.headings),
                "chrome": self.chrome, "pages": self.pages}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Location:
        return cls(**d)


@dataclass
class Observation:
    """One statement of a fact: its normalized value, as written, and where."""

    fact: str
    value: Any
    text: str
    location: Location
    qualifier: str = ""
    display: str = ""  # the normalized value for humans ("14 days", "+1 415 555 0100")
    why: str = ""  # why it was read as the fact: which context, where; which qualifier
    history: str = ""  # why it is history (an old page, "used to be"): shown, never compared

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "qualifier": self.qualifier,
            "value": self.value,
            "display": self.display or value_key(self.value),
            "text": self.text,
            "location": self.location.to_dict(),
            **({"why": self.why} if self.why else {}),
            **({"history": self.history} if self.history else {}),
        }


@dataclass
class Finding:
    """One inconsistency: which rule, how bad, what was expected, and every place it occurs."""

    kind: str
    rule: str
    severity: str
    message: str
    locations: list[Location]
    expected: str | None = None
    fingerprint: str = ""
    status: str = "new"
    extra: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "expected": self.expected,
            "fingerprint": self.fingerprint,
            "status": self.status,
            "locations": [loc.to_dict() for loc in self.locations],
            **({"extra": self.extra} if self.extra else {}),
        }


def value_key(value: Any) -> str:
    """A stable text form of a normalized value, used for grouping and fingerprints."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode())
        h.update(b"\x1f")
    return h.hexdigest()[:20]


def text_fingerprint(rule: str, loc: Location, occurrence: int) -> str:
    """Term and language findings: rule, place, matched text and its occurrence number."""
    return _digest(rule, loc.touchpoint, loc.url, loc.region, loc.text.lower(), occurrence)


def fact_fingerprint(rule: str, qualifier: str, values: list[Any]) -> str:
    """Fact findings: rule, qualifier and the sorted set of distinct normalized values."""
    return _digest(rule, qualifier, *sorted({value_key(v) for v in values}))


def repeated_fingerprint(rule: str, loc: Location, block_digest: str, offset: int) -> str:
    """Findings inside a block repeated across pages: rule, touchpoint, the block's text and
    the place in it, so the identity does not depend on which page was read first."""
    return _digest(rule, loc.touchpoint, "block", block_digest, loc.text.lower(), offset)


def consistency_fingerprint(rule: str, forms: list[str]) -> str:
    """Consistency findings: rule and the set of alternatives in use."""
    return _digest(rule, "consistency", *sorted({f.lower() for f in forms}))

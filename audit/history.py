"""What changed since the previous run of a config: which of its findings are fixed.

Statuses new and open are set as the audit writes findings (audit/jobs.py); what is gone is
decided here, for the stored totals and for the report alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from audit.findings import Finding


def gone(previous: Iterable[Finding], present: set[str],
         crawled: set[tuple[str, str]]) -> tuple[list[Finding], list[Finding]]:
    """The previous run's findings absent now: (fixed, not rechecked).

    A finding is fixed only when every page it was on, as (touchpoint, url), is in this crawl
    (for a finding in a block repeated across pages, every one of those pages):
    a page that failed or was not reached says nothing about whether its text changed. Fixed
    findings get status ``fixed``; the not rechecked keep their status of the previous run.
    Ignored findings are neither.
    """
    fixed, not_rechecked = [], []
    for f in previous:
        if f.fingerprint in present or f.status == "ignored":
            continue
        if all(page in crawled for page in pages_of(f)):
            f.status = "fixed"
            fixed.append(f)
        else:
            not_rechecked.append(f)
    return fixed, not_rechecked


def pages_of(f: Finding) -> set[tuple[str, str]]:
    """Every (touchpoint, url) a finding was on: its locations, and the pages of a repeated block."""
    pages = {(loc.touchpoint, loc.url) for loc in f.locations}
    if f.locations and f.extra.get("pages"):
        pages.update((f.locations[0].touchpoint, url) for url in f.extra["pages"])
    return pages

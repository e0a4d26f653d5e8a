"""Auditing a crawl on several cores, with the findings one process gives, in the same order.

The documents (in id order) are cut into ``jobs`` contiguous shares; forked processes audit one
share each with a copy of the parent's Auditor (rules, matchers and chrome are built once, before
the fork) and hand back what the audit of their share produced: its findings in order, and the
state the cross-document step reads (blocks repeated across pages, consistency uses, fact
observations). The parent replays that state share by share, in document order, so ``finish``
and everything after it see exactly what one pass over all documents would have left.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

from audit.auditor import Auditor, Share
from audit.findings import Finding
from audit.store import Store

_AUDITOR: Auditor | None = None  # the parent's, inherited by the forked workers


def shares(ids: list[int], jobs: int) -> list[tuple[int, int]]:
    """(after_id, upto_id] ranges cutting ``ids`` into ``jobs`` runs of nearly equal length."""
    out, after = [], 0
    for n in range(jobs):
        count = (len(ids) * (n + 1)) // jobs  # documents in the shares so far
        upto = ids[count - 1] if count else 0
        if upto > after:
            out.append((after, upto))
            after = upto
    return out


def audit_in_parallel(auditor: Auditor, store_path: Path, crawl_id: int, jobs: int) -> Iterator[Finding]:
    """The findings of every document of the crawl, in order, audited by ``jobs`` processes;
    ``auditor`` is left as if it had audited them all itself (call its ``finish`` next)."""
    global _AUDITOR
    with Store(store_path) as store:
        ranges = shares(store.document_ids(crawl_id), jobs)
    _AUDITOR = auditor
    auditor.matcher  # noqa: B018 - compiled once, here, not in every worker
    if auditor.fuzzy:
        auditor.fuzzy.english  # noqa: B018 - read once, here, likewise
    try:
        with multiprocessing.get_context("fork").Pool(len(ranges) or 1) as pool:
            for share in pool.imap(_audit_share, [(str(store_path), crawl_id, r) for r in ranges]):
                yield from share.findings
                auditor.merge(share)
    finally:
        _AUDITOR = None


def _audit_share(task: tuple[str, int, tuple[int, int]]) -> Share:
    store_path, crawl_id, (after, upto) = task
    auditor = _AUDITOR
    assert auditor is not None, "audit_in_parallel runs workers forked from the parent"
    auditor.usage_log = []  # a worker hands its consistency uses back, in order
    auditor.begin_pass()  # a worker may be given a second share: each starts fresh
    with Store(store_path) as store:
        findings = list(auditor.audit(store.iter_documents(crawl_id, after_id=after, upto_id=upto)))
    return Share(findings, list(auditor.repeats.items()), auditor.usage_log, auditor.facts.observations,
                 auditor.documents, auditor.words)

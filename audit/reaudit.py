"""Re-auditing a crawl after a rule edit: each document's results are kept, and only the
documents an edited rule can touch are audited again.

An audit keeps, per document of the crawl, what auditing it alone produced (its Share: findings,
repeated blocks, consistency uses, fact observations; audit/auditor.py) and which words it holds
(its ORTH and NORM strings, as indices into the crawl's vocabulary), and, per rule, a digest of
its definition and its footprint (audit/footprint.py): the words, patterns, near-miss targets and
fact context phrases it can react to. The next audit of the same crawl compares the digests: a
document that no changed rule (its old or its new version) can touch keeps its results, replayed
in document order exactly as a parallel audit replays its shares; the others are audited again
with every rule, since rules compete for the same words. Whatever else decides a result is the
cache's key — touchaudit's version and code, spaCy's and the other libraries' versions, the
model, the phone region, the day (facts date statements by it), the crawl's documents — and a
different key audits everything anew.

The cache lives in the store (tables made on first use): results as JSON, never pickles, so a
store file cannot run code when it is read.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import itertools
import json
import logging
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from audit import jsontext
from audit.auditor import Apart, Auditor, Parts, Repeat, Share
from audit.findings import Finding, Location, Observation
from audit.footprint import Footprint, footprint, touched
from audit.rules import RuleSet
from audit.store import Store

logger = logging.getLogger(__name__)

# Libraries whose version can change what the audit finds (tokens, lemmas, scores, values).
LIBRARIES = ("touchaudit", "spacy", "spacy-lookups-data", "rapidfuzz", "phonenumbers", "price-parser",
             "python-dateutil", "w3lib", "regex", "numpy")
AUDIT_CODE = Path(__file__).resolve().parent  # the audit package: its code decides results too
WRITE_EVERY = 100  # documents' results written to the store at once

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_cache (
    crawl_id INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    fresh INTEGER NOT NULL,           -- the writing audit's token until it takes the rows over, then 0
    words BLOB NOT NULL,              -- uint32 indices into the vocabulary of audit_cache_meta
    windows TEXT NOT NULL,            -- JSON list of the near-miss windows it scored
    results TEXT NOT NULL,            -- JSON: what auditing the document alone produced
    PRIMARY KEY (crawl_id, doc_id, fresh)
);
CREATE TABLE IF NOT EXISTS audit_cache_meta (
    crawl_id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,                -- versions, code, settings and day the results hold for
    rules TEXT NOT NULL,              -- JSON [[rule id, digest, footprint], ...] in rule order
    vocab TEXT NOT NULL,              -- JSON list of the crawl's ORTH and NORM strings
    reach INTEGER NOT NULL,           -- the longest near-miss window, in tokens
    generation INTEGER NOT NULL       -- counts take-overs: an audit checks nobody took over meanwhile
)
"""


@functools.lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """The versions of LIBRARIES installed (read once per process: they cannot change under it)."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the audit package's source: a changed line of code is a changed result (read
    once per process: the code it runs is the code it loaded)."""
    h = hashlib.sha256()
    for path in sorted(AUDIT_CODE.rglob("*.py")):
        h.update(str(path.relative_to(AUDIT_CODE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(crawl: Any, documents: tuple[int, int], model: str | None, phone_region: str,
              today: _dt.date | None = None) -> str:
    """What the kept results hold for; any difference audits everything anew."""
    parts = {"versions": library_versions(), "python": sys.version.split()[0], "code": code_digest(),
             "model": model or "", "phone_region": phone_region,
             "today": (today or _dt.date.today()).isoformat(),
             "crawl": [crawl["id"], crawl["state"], *documents]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# -- a Share as JSON -----------------------------------------------------------------------
def _finding(d: dict[str, Any]) -> Finding:
    return Finding(kind=d["kind"], rule=d["rule"], severity=d["severity"], message=d["message"],
                   locations=[Location.from_dict(loc) for loc in d["locations"]], expected=d["expected"],
                   fingerprint=d["fingerprint"], status=d["status"], extra=d.get("extra", {}))


def _observation(o: Observation) -> list[Any]:
    return [o.fact, o.value, o.text, o.location.to_dict(), o.qualifier, o.display, o.why, o.history]


def share_to_json(share: Share) -> str:
    return jsontext.dumps({
        "f": [f.to_dict() for f in share.findings],
        "r": [[list(key), kept.finding.to_dict(), kept.pages] for key, kept in share.repeats],
        "u": [[rule, form, list(block) if block is not None else None, loc.to_dict()]
              for rule, form, block, loc in share.uses],
        "o": [_observation(o) for o in share.observations], "i": share.observed_in,
        "d": share.documents, "w": share.words,
    })


def share_from_json(text: str) -> Share:
    d = jsontext.loads(text)
    return Share(
        findings=[_finding(f) for f in d["f"]],
        repeats=[(tuple(key), Repeat(_finding(f), pages)) for key, f, pages in d["r"]],
        uses=[(rule, form, tuple(block) if block is not None else None, Location.from_dict(loc))
              for rule, form, block, loc in d["u"]],
        observations=[Observation(fact, value, text, Location.from_dict(loc), *rest)
                      for fact, value, text, loc, *rest in d["o"]],
        documents=d["d"], words=d["w"], observed_in=d["i"],
    )


# -- the cache in the store ------------------------------------------------------------------
@dataclass
class Plan:
    """What a re-audit does: the documents to audit again, each with the parts to run (text
    rules or not; fact rules of which value types), or None for all of them wholly; and why."""

    again: dict[int, Parts] | None
    reason: str


@dataclass
class Row:
    """One kept document: its words, near-miss windows (JSON) and results (JSON)."""

    doc_id: int
    words: bytes
    windows: str
    results: str


@dataclass
class Kept:
    """The results an earlier audit of the crawl kept, and what they hold for."""

    key: str
    rules: list[tuple[str, str, Footprint]]
    vocab: list[str]
    reach: int
    generation: int = 0


class ResultCache:
    """The kept per-document results of one crawl's latest audit, in the store."""

    def __init__(self, store: Store, crawl_id: int):
        self.db = store.db
        self.crawl_id = crawl_id
        # This audit's rows until it takes them over: another audit of the store may be writing
        # its own meanwhile (a scheduled run beside a watching one).
        self.token = secrets.randbits(62) + 1
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(audit_cache_meta)")}
        if columns and "generation" not in columns:  # made by an earlier touchaudit: a cache, dropped
            self.db.execute("DROP TABLE audit_cache_meta")
            self.db.execute("DROP TABLE IF EXISTS audit_cache")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.db.execute(statement)

    def kept(self) -> Kept | None:
        row = self.db.execute("SELECT key, rules, vocab, reach, generation FROM audit_cache_meta "
                              "WHERE crawl_id=?", (self.crawl_id,)).fetchone()
        if row is None:
            return None
        rules = [(rid, digest, Footprint.from_json(fp)) for rid, digest, fp in jsontext.loads(row["rules"])]
        return Kept(row["key"], rules, jsontext.loads(row["vocab"]), row["reach"], row["generation"])

    def words(self) -> dict[int, np.ndarray]:
        return {doc_id: np.frombuffer(blob, dtype=np.uint32) for doc_id, blob in self.db.execute(
            "SELECT doc_id, words FROM audit_cache WHERE crawl_id=? AND fresh=0", (self.crawl_id,))}

    def windows(self) -> dict[int, list[str]]:
        return {doc_id: jsontext.loads(windows) for doc_id, windows in self.db.execute(
            "SELECT doc_id, windows FROM audit_cache WHERE crawl_id=? AND fresh=0", (self.crawl_id,))}

    def results(self, skip: set[int]) -> Iterator[Row]:
        """Every kept document not in ``skip``, in id order."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT doc_id, words, windows, results FROM audit_cache WHERE crawl_id=? AND fresh=0 "
                "AND doc_id>? ORDER BY doc_id LIMIT 200", (self.crawl_id, last)).fetchall()
            if not rows:
                return
            for doc_id, words, windows, results in rows:
                if doc_id not in skip:
                    yield Row(doc_id, words, windows, results)
            last = rows[-1][0]

    def write(self, rows: list[tuple[int, bytes, str, str]]) -> None:
        """Keep (document id, words, windows JSON, results JSON) rows, until ``take_over``."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO audit_cache(crawl_id, doc_id, fresh, words, windows, results) "
                "VALUES (?,?,?,?,?,?)", [(self.crawl_id, row[0], self.token, *row[1:]) for row in rows])

    def take_over(self, kept: Kept, whole: bool, written: int, since: int | None) -> bool:
        """Make the ``written`` rows this audit wrote the kept results (all of them when
        ``whole``; else in place of the kept rows of generation ``since``), in one transaction.
        When another audit took over meanwhile, or removed rows of this one, nothing is kept
        (the next audit audits everything): results made under two rule sets never mix. Rows
        of audits that stopped half-way go, and so do other crawls' (one crawl's are kept)."""
        c, token = self.crawl_id, self.token
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT generation FROM audit_cache_meta WHERE crawl_id=?", (c,)).fetchone()
            generation = row[0] if row else None
            mine = self.db.execute("SELECT count(*) FROM audit_cache WHERE crawl_id=? AND fresh=?",
                                   (c, token)).fetchone()[0]
            if mine != written or (not whole and generation != since):
                self.db.execute("DELETE FROM audit_cache WHERE fresh=?", (token,))
                self.db.execute("DELETE FROM audit_cache_meta")
                return False
            if whole:
                self.db.execute("DELETE FROM audit_cache WHERE crawl_id=? AND fresh=0", (c,))
            else:
                self.db.execute("DELETE FROM audit_cache WHERE crawl_id=? AND fresh=0 AND doc_id IN (SELECT "
                                "doc_id FROM audit_cache WHERE crawl_id=? AND fresh=?)", (c, c, token))
            self.db.execute("UPDATE audit_cache SET fresh=0 WHERE crawl_id=? AND fresh=?", (c, token))
            self.db.execute("DELETE FROM audit_cache WHERE crawl_id<>? OR fresh<>0", (c,))
            self.db.execute("DELETE FROM audit_cache_meta")
            self.db.execute(
                "INSERT INTO audit_cache_meta(crawl_id, key, rules, vocab, reach, generation) "
                "VALUES (?,?,?,?,?,?)",
                (c, kept.key, jsontext.dumps([[rid, digest, fp.to_json()] for rid, digest, fp in kept.rules]),
                 jsontext.dumps(kept.vocab), kept.reach, (generation or 0) + 1))
        return True


def plan(kept: Kept | None, key: str, rules: list[tuple[str, str, Footprint]], reach: int,
         cache: ResultCache, documents: list[int],
         texts: Callable[[], Iterator[tuple[int, str, list[tuple[str, str]]]]]) -> Plan:
    """Which of ``documents`` (ids) to audit again, and which parts of them, given what was kept
    and the rules now; ``texts`` reads the documents' region texts, when a changed rule has
    patterns or fact contexts. Text rules (terms, language, consistency, near-misses) compete for words and
    fact rules (of one value type) for values, but neither kind touches what the other finds: a
    document only a changed fact rule touches keeps its text findings and the statements of the
    other value types, and the other way round."""
    if kept is None:
        return Plan(None, "no results kept for this crawl")
    if kept.key != key:
        return Plan(None, "touchaudit, a library, the settings, the day or the crawl changed since the "
                    "results were kept")
    if kept.reach != reach:
        return Plan(None, "the longest near-miss name changed, and with it every window compared")
    before = {rid: (digest, fp) for rid, digest, fp in kept.rules}
    now = {rid: (digest, fp) for rid, digest, fp in rules}
    same = [rid for rid in now if rid in before and before[rid][0] == now[rid][0]]
    same_set = set(same)
    if [rid for rid, _, _ in kept.rules if rid in same_set] != same:
        return Plan(None, "rules were reordered")
    changed = sorted((set(before) | set(now)) - same_set)
    prints = [before[r][1] for r in changed if r in before] + [now[r][1] for r in changed if r in now]
    words = cache.words()
    if set(words) != set(documents):  # never after a whole audit; a store edited by hand
        return Plan(None, "the kept results do not cover the crawl's documents")
    if not prints:
        return Plan({}, "no rule changed")
    text = touched([fp for fp in prints if not fp.fact], kept.vocab, words, texts, cache.windows)
    facts = touched([fp for fp in prints if fp.fact], kept.vocab, words, texts, cache.windows)
    types = frozenset(fp.fact_type for fp in prints if fp.fact)
    again: dict[int, Parts] = {d: (d in text, types if d in facts else False) for d in sorted(text | facts)}
    return Plan(again, f"{len(changed)} rule(s) changed")


@dataclass
class Reaudit:
    """How the last audit went: documents kept and audited, and why."""

    kept: int = 0
    audited: int = 0
    reason: str = ""


def audit_crawl(auditor: Auditor, ruleset: RuleSet, store: Store, crawl_id: int, key: str,
                report: Reaudit | None = None) -> Iterator[Finding]:
    """The findings of every document of the crawl in order, each kept document's replayed from
    the cache and the others audited (wholly, or the part a changed rule touches); ``auditor``
    is left as if it had audited them all (call its ``finish`` next). The cache is taken over
    only when the generator is run to its end."""
    report = report if report is not None else Reaudit()
    cache = ResultCache(store, crawl_id)
    kept = cache.kept()
    known = {(rid, digest): fp for rid, digest, fp in kept.rules} if kept and kept.key == key else {}
    prints = []
    for rule in ruleset.rules:  # a rule unchanged since the results were kept has the same footprint
        digest = ruleset.digests.get(rule.id, "")
        fp = known.get((rule.id, digest)) if digest else None
        prints.append((rule.id, digest, fp if fp is not None else footprint(rule, auditor.nlp)))
    reach = auditor.fuzzy.max_n if auditor.fuzzy else 0
    the_plan = plan(kept, key, prints, reach, cache, store.document_ids(crawl_id),
                    lambda: store.iter_region_texts(crawl_id))
    report.reason = the_plan.reason
    again = the_plan.again
    if again is None or kept is None:
        index: dict[str, int] = {}
        audited = auditor.audit_apart(store.iter_documents(crawl_id))
        rows: Iterator[Row] = iter(())
    else:
        index = {s: i for i, s in enumerate(kept.vocab)}
        audited = auditor.audit_apart(store.iter_documents(crawl_id, only=set(again)),
                                      parts=lambda d: again[d.id or 0]) if again else iter(())
        rows = cache.results(skip=set())
    strings = auditor.nlp.vocab.strings
    by_hash: dict[int, int] = {}  # word hash -> index in the vocabulary
    pending: list[tuple[int, bytes, str, str]] = []
    for doc_id, apart, row in _in_order(audited, rows):
        if apart is None:  # kept as it was
            assert row is not None
            share = share_from_json(row.results)
            report.kept += 1
        else:
            share, windows = apart.share, sorted(apart.windows)
            if row is not None:  # parts audited again, the rest kept
                text, facts = again[doc_id] if again else (True, True)
                share = _combined(share_from_json(row.results), share, text, facts, ruleset)
                windows = windows if text else jsontext.loads(row.windows)
                blob = row.words
            else:
                blob = _indices(apart.words, by_hash, index, strings)
            pending.append((doc_id, blob, jsontext.dumps(windows), share_to_json(share)))
            if len(pending) >= WRITE_EVERY:
                cache.write(pending)
                pending = []
            report.audited += 1
        yield from share.findings
        auditor.merge(share)
    cache.write(pending)
    vocab = list(index) if kept is None or again is None or len(index) > len(kept.vocab) else kept.vocab
    whole = again is None or kept is None
    if not cache.take_over(Kept(key, prints, vocab, reach), whole, report.audited,
                           None if kept is None else kept.generation):
        logger.warning("another audit of this store kept its results while this one ran: none are "
                       "kept, and the next audit audits every document")


def _indices(hashes: np.ndarray, by_hash: dict[int, int], index: dict[str, int], strings: Any) -> bytes:
    """A document's words (their hashes) as sorted indices into the crawl's vocabulary, adding
    the words it has not met yet (one dictionary look-up per word; a string made only once)."""
    found = np.array(list(map(by_hash.get, hashes.tolist(), itertools.repeat(-1))), dtype=np.int64)
    for k in np.flatnonzero(found < 0).tolist():  # words not met before: few, after the first pages
        h = int(hashes[k])
        found[k] = by_hash[h] = index.setdefault(strings[h], len(index))
    return np.sort(found.astype(np.uint32)).tobytes()


def _combined(old: Share, new: Share, text: bool, facts: bool | frozenset[str], ruleset: RuleSet) -> Share:
    """A document's kept results with the parts audited again put in: the text part whole, and
    the fact statements of the value types read again, in the order one pass makes them (by
    region, then rule)."""
    if text:
        findings, repeats, uses, words = new.findings, new.repeats, new.uses, new.words
    else:
        findings, repeats, uses, words = old.findings, old.repeats, old.uses, old.words
    if not facts:
        return Share(findings, repeats, uses, old.observations, 1, words, old.observed_in)
    kinds = {r.id: getattr(r, "type", "") for r in ruleset.rules}
    order = {r.id: i for i, r in enumerate(ruleset.rules)}
    kept = [(at, o) for at, o in zip(old.observed_in, old.observations, strict=True)
            if o.fact in kinds and (facts is not True and kinds[o.fact] not in facts)]
    made = list(zip(new.observed_in, new.observations, strict=True))
    both = sorted(kept + made, key=lambda pair: (pair[0], order[pair[1].fact]))
    return Share(findings, repeats, uses, [o for _, o in both], 1, words, [at for at, _ in both])


def _in_order(audited: Iterator[Apart], kept: Iterator[Row]
              ) -> Iterator[tuple[int, Apart | None, Row | None]]:
    """Audited and kept documents merged into one stream in id order (a document audited in
    part comes from both)."""
    a = next(audited, None)
    k = next(kept, None)
    while a is not None or k is not None:
        a_id = a.doc.id or 0 if a is not None else None
        if k is None or (a_id is not None and a_id < k.doc_id):
            yield a_id or 0, a, None
            a = next(audited, None)
        elif a_id is not None and a_id == k.doc_id:
            yield a_id, a, k
            a, k = next(audited, None), next(kept, None)
        else:
            yield k.doc_id, None, k
            k = next(kept, None)

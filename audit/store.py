"""The SQLite store: crawls and their documents, failures and frontier; audit runs and findings.

One file, WAL mode, a schema version checked on open (a clear error on mismatch, never a silent
migration: an older store is upgraded in place only when asked, by `touchaudit migrate`). The
crawler writes documents in batches as they arrive; the audit streams them back in batches so
memory stays flat in the number of documents.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit import jsontext
from audit.documents import Document, Failure, Region
from audit.errors import StoreError, shown
from audit.findings import Finding, Location, Observation

SCHEMA_VERSION = 2  # 2: crawls.name and crawl_jobs (crawls run as separate Scrapy jobs)

SCHEMA = """
-- One row: the schema version of this file.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- A crawl: one run of every configured spider. state is running, complete or interrupted.
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,         -- ISO 8601, UTC
    finished_at TEXT,
    config_path TEXT NOT NULL,        -- the config file, as given
    config_text TEXT NOT NULL,        -- the config as read
    config_hash TEXT NOT NULL,        -- sha256 of config_text: runs of "the same config"
    state TEXT NOT NULL DEFAULT 'running',
    counts TEXT NOT NULL DEFAULT '{}', -- JSON {touchpoint: {documents, failures}}
    name TEXT NOT NULL DEFAULT ''     -- the name Scrapy jobs of one crawl share (TOUCHAUDIT_CRAWL_NAME)
);
-- A Scrapy job of a crawl (scrapy crawl, Scrapyd): one touchpoint's spider in a process of its
-- own. The crawl finishes when the job of its last expected touchpoint closes.
CREATE TABLE IF NOT EXISTS crawl_jobs (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    touchpoint TEXT NOT NULL,
    job TEXT NOT NULL DEFAULT '',     -- Scrapyd's job id, else host:pid
    state TEXT NOT NULL DEFAULT 'running', -- running, complete or interrupted
    started_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (crawl_id, touchpoint)
);
-- A document: one page, article or email of a crawl, with its regions as JSON.
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    touchpoint TEXT NOT NULL,
    kind TEXT NOT NULL,               -- website, helpcenter or email
    url TEXT NOT NULL,                -- canonical URL, or a path relative to the config folder
    title TEXT NOT NULL,
    status INTEGER,                   -- HTTP status (NULL for files)
    fetched_at TEXT,
    content_hash TEXT NOT NULL,       -- hash of the region texts
    etag TEXT,
    last_modified TEXT,
    regions TEXT NOT NULL,            -- JSON list of {name, text, merge_tags?, data?}
    extra TEXT NOT NULL DEFAULT '{}', -- JSON: per-kind details (updated_at, aliases, headers…)
    UNIQUE (crawl_id, touchpoint, url)
);
-- A URL or file that produced no document, with a reason from documents.FAILURE_REASONS.
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    touchpoint TEXT NOT NULL,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS failures_by_url ON failures(crawl_id, touchpoint, url);
-- The crawl frontier: every discovered URL and its state, so a resumed crawl re-seeds from it.
CREATE TABLE IF NOT EXISTS frontier (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    touchpoint TEXT NOT NULL,
    url TEXT NOT NULL,
    depth INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending, fetched or failed
    PRIMARY KEY (crawl_id, touchpoint, url)
);
-- An audit run: the rules applied to one crawl.
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    config_hash TEXT NOT NULL,        -- the crawl's config hash: history compares these runs
    rules_hash TEXT NOT NULL,         -- hash of the rule files' text
    totals TEXT NOT NULL DEFAULT '{}' -- JSON {severity: count, ...}
);
-- A finding of a run. locations and extra are JSON, and fingerprint identifies it across runs.
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL,               -- term, language or fact
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,           -- error, warning or info
    message TEXT NOT NULL,
    expected TEXT,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new', -- new, open, fixed or ignored
    locations TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run_id);
-- A fact observation of a run: one statement of a fact, its normalized value and location.
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    fact TEXT NOT NULL,
    qualifier TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,              -- JSON {value, display, why?, history?}: the normalized value,
                                      -- why it was read as the fact, why it is history
    text TEXT NOT NULL,               -- as written
    location TEXT NOT NULL            -- JSON location
);
CREATE INDEX IF NOT EXISTS observations_run ON observations(run_id);
"""


# How a store of an older version becomes the next one: statements run in one transaction,
# after which SCHEMA's CREATE ... IF NOT EXISTS adds the tables and indexes that are new.
MIGRATIONS: dict[int, list[str]] = {
    1: ["ALTER TABLE crawls ADD COLUMN name TEXT NOT NULL DEFAULT ''"],
}


def config_hash(config_text: str) -> str:
    """What makes two crawls runs of "the same config" (history compares their findings)."""
    return hashlib.sha256(config_text.encode()).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_INSERT_DOCUMENT = ("INSERT OR REPLACE INTO documents(crawl_id, touchpoint, kind, url, title, status, "
                    "fetched_at, content_hash, etag, last_modified, regions, extra) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def sound(text: str | None) -> str | None:
    """Text SQLite can store as UTF-8: a lone surrogate becomes U+FFFD (offsets stay the same)."""
    if text is None or text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _not_stored(d: Document, exc: BaseException) -> Failure:
    return Failure(d.touchpoint, sound(d.url) or "", "not_stored",
                   f"the store could not take this document ({type(exc).__name__}: {sound(str(exc))})")


class Store:
    """A connection to one store file. Cheap to open; use one per process or thread."""

    def __init__(self, path: str | Path, *, migrate: bool = False):
        """Open (or create) the store; ``migrate`` upgrades an older schema in place first."""
        self.path = Path(path)
        self.migrated_from: int | None = None
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self._open(migrate)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc}); expected a touchaudit store "
                             "file, or a path in a writable folder where one can be made") from exc

    def _open(self, migrate: bool) -> None:
        # Several crawl processes may open a new store at once: switching to WAL and creating
        # the schema do not wait on SQLite's busy timeout, so they are retried for a while.
        for attempt in range(300):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                with self.db:
                    self.db.execute("BEGIN IMMEDIATE")
                    self._check_schema(migrate)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 299:
                    raise
                time.sleep(0.1)

    def _check_schema(self, migrate: bool) -> None:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path}: not a touchaudit store (it has other tables)")
            self._create_schema()
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            return
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        found = row[0] if row else "none"
        if found == str(SCHEMA_VERSION):
            return
        older = found.isdigit() and int(found) in MIGRATIONS
        if older and migrate:
            self._migrate(int(found))
            return
        hint = ("run `touchaudit migrate` to upgrade it in place (its crawls and history are kept)"
                if older else "use a new store file (set 'store:' in the config)")
        raise StoreError(
            f"{self.path}: store schema version {found}, this touchaudit reads version "
            f"{SCHEMA_VERSION}; {hint}"
        )

    def _create_schema(self) -> None:
        for statement in SCHEMA.split(";"):  # not executescript: it would commit early
            if statement.strip():
                self.db.execute(statement)

    def _migrate(self, version: int) -> None:
        """Upgrade from ``version`` to SCHEMA_VERSION inside the open transaction."""
        self.migrated_from = version
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                self.db.execute(statement)
        self._create_schema()
        self.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- crawls -------------------------------------------------------------------------
    def start_crawl(self, config_path: str, config_text: str, name: str = "") -> int:
        cur = self.db.execute(
            "INSERT INTO crawls(started_at, config_path, config_text, config_hash, name) "
            "VALUES (?, ?, ?, ?, ?)",
            (now(), shown(str(config_path)), config_text, config_hash(config_text), name),
        )
        return int(cur.lastrowid)

    def finish_crawl(self, crawl_id: int, state: str) -> None:
        counts = self.crawl_counts(crawl_id)
        self.db.execute(
            "UPDATE crawls SET finished_at=?, state=?, counts=? WHERE id=?",
            (now(), state, json.dumps(counts), crawl_id),
        )

    # -- crawls run as separate Scrapy jobs ------------------------------------------------
    def join_crawl(self, name: str, touchpoint: str, job: str, config_path: str, config_text: str) -> int:
        """The crawl a Scrapy job adds its touchpoint to; the job is recorded in it.

        A named job joins the latest ``running`` crawl of that name and config that has no job
        for its touchpoint yet, so one name can serve every weekly round; otherwise (or without
        a name) it starts a crawl. One transaction: jobs starting at once agree on the crawl.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = None
            if name:
                row = self.db.execute(
                    "SELECT id FROM crawls c WHERE name=? AND config_hash=? AND state='running' "
                    "AND NOT EXISTS (SELECT 1 FROM crawl_jobs j WHERE j.crawl_id=c.id AND j.touchpoint=?) "
                    "ORDER BY id DESC LIMIT 1",
                    (name, config_hash(config_text), touchpoint),
                ).fetchone()
            crawl_id = int(row[0]) if row else self.start_crawl(config_path, config_text, name)
            self.db.execute(
                "INSERT INTO crawl_jobs(crawl_id, touchpoint, job, started_at) VALUES (?,?,?,?)",
                (crawl_id, touchpoint, job, now()),
            )
        return crawl_id

    def resumable_job(self, name: str, touchpoint: str, config_text: str) -> int | None:
        """The latest crawl of this name and config whose job for ``touchpoint`` did not complete.

        A job left ``running`` was killed; an ``interrupted`` one was stopped (Ctrl-C, Scrapyd's
        cancel). Either can be resumed; a completed job's part of a crawl cannot.
        """
        row = self.db.execute(
            "SELECT c.id FROM crawls c JOIN crawl_jobs j ON j.crawl_id=c.id AND j.touchpoint=? "
            "WHERE c.name=? AND c.config_hash=? AND j.state!='complete' ORDER BY c.id DESC LIMIT 1",
            (touchpoint, name, config_hash(config_text)),
        ).fetchone()
        return int(row[0]) if row else None

    def resume_job(self, crawl_id: int, touchpoint: str, job: str) -> None:
        """A new job takes over ``touchpoint`` of a crawl; the crawl is running again.

        A crawl already finished as ``interrupted`` (and maybe audited) is reopened: when its
        jobs have all ended again it is finished once more, and audited as a new run.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO crawl_jobs(crawl_id, touchpoint, job, state, started_at) "
                "VALUES (?, ?, ?, 'running', ?)",
                (crawl_id, touchpoint, job, now()),
            )
            self.db.execute("UPDATE crawls SET state='running', finished_at=NULL WHERE id=?", (crawl_id,))

    def job_state(self, crawl_id: int, touchpoint: str) -> str | None:
        row = self.db.execute(
            "SELECT state FROM crawl_jobs WHERE crawl_id=? AND touchpoint=?", (crawl_id, touchpoint)
        ).fetchone()
        return row[0] if row else None

    def finish_job(self, crawl_id: int, touchpoint: str, state: str, expected: Iterable[str]) -> str | None:
        """Record a job's end; when every expected touchpoint's job has ended, finish the crawl.

        Returns the crawl's final state (``complete`` when every job completed) to the job that
        finished it, None to the others: exactly one job of a crawl goes on to audit it.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "UPDATE crawl_jobs SET state=?, finished_at=? WHERE crawl_id=? AND touchpoint=?",
                (state, now(), crawl_id, touchpoint),
            )
            ended = {
                r["touchpoint"]: r["state"]
                for r in self.db.execute("SELECT * FROM crawl_jobs WHERE crawl_id=?", (crawl_id,))
                if r["state"] != "running"
            }
            if self.crawl(crawl_id)["state"] != "running" or not set(expected) <= set(ended):
                return None
            final = "complete" if all(s == "complete" for s in ended.values()) else "interrupted"
            self.finish_crawl(crawl_id, final)
        return final

    def crawl_jobs(self, crawl_id: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM crawl_jobs WHERE crawl_id=? ORDER BY rowid", (crawl_id,)
        ).fetchall()

    def set_crawl_state(self, crawl_id: int, state: str) -> None:
        self.db.execute("UPDATE crawls SET state=? WHERE id=?", (state, crawl_id))

    def crawl(self, crawl_id: int | None = None) -> sqlite3.Row:
        """The named crawl, or the latest one; StoreError when there is none."""
        if crawl_id is None:
            row = self.db.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = self.db.execute("SELECT * FROM crawls WHERE id=?", (crawl_id,)).fetchone()
        if row is None:
            what = "no crawl" if crawl_id is None else f"no crawl {crawl_id}"
            raise StoreError(f"{self.path}: {what} in the store; run 'touchaudit crawl' first")
        return row

    def crawls(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM crawls ORDER BY id").fetchall()

    def crawl_counts(self, crawl_id: int) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for tp, n in self.db.execute(
            "SELECT touchpoint, count(*) FROM documents WHERE crawl_id=? GROUP BY touchpoint",
            (crawl_id,),
        ):
            counts.setdefault(tp, {"documents": 0, "failures": 0})["documents"] = n
        for tp, n in self.db.execute(
            "SELECT touchpoint, count(*) FROM failures WHERE crawl_id=? GROUP BY touchpoint",
            (crawl_id,),
        ):
            counts.setdefault(tp, {"documents": 0, "failures": 0})["failures"] = n
        return counts

    def truncated(self, crawl_id: int) -> dict[str, str]:
        """Touchpoints whose crawl stopped at max_pages with files left unread, and what was said."""
        return {tp: detail for tp, detail in self.db.execute(
            "SELECT touchpoint, detail FROM failures WHERE crawl_id=? AND reason='max_pages' ORDER BY id",
            (crawl_id,))}

    def needing_scripts(self, crawl_id: int) -> dict[str, list[str]]:
        """Per touchpoint, the stored pages that look empty without JavaScript (their body has
        almost no text while their scripts are large: the crawler marks them in ``extra``)."""
        out: dict[str, list[str]] = {}
        for tp, url in self.db.execute(
            "SELECT touchpoint, url FROM documents WHERE crawl_id=? AND "
            "json_extract(extra, '$.needs_scripts') IS NOT NULL ORDER BY id", (crawl_id,),
        ):
            out.setdefault(tp, []).append(url)
        return out

    # -- documents ----------------------------------------------------------------------
    def add_documents(self, crawl_id: int, docs: Iterable[Document]) -> list[Failure]:
        """Write a batch of documents in one transaction (a later copy of a URL wins).

        One document must never cost the others: a lone surrogate (from a JSON-LD escape or a file
        name that is not UTF-8) is stored as U+FFFD, and a document the store still cannot take is
        returned as a ``not_stored`` Failure while the rest of the batch is written."""
        rows, refused = [], []
        for d in docs:
            try:
                rows.append((d, self._document_row(crawl_id, d)))
            except (TypeError, ValueError) as exc:
                refused.append(_not_stored(d, exc))
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(_INSERT_DOCUMENT, [row for _, row in rows])
        except (sqlite3.InterfaceError, sqlite3.DataError, sqlite3.IntegrityError, ValueError):
            for d, row in rows:  # one at a time, to keep all but the one that cannot be stored
                try:
                    with self.db:
                        self.db.execute("BEGIN")
                        self.db.execute(_INSERT_DOCUMENT, row)
                except (sqlite3.InterfaceError, sqlite3.DataError, sqlite3.IntegrityError, ValueError) as exc:
                    refused.append(_not_stored(d, exc))
        return refused

    @staticmethod
    def _document_row(crawl_id: int, d: Document) -> tuple[Any, ...]:
        return (
            crawl_id, d.touchpoint, d.kind, sound(d.url), sound(d.title), d.status, d.fetched_at,
            d.content_hash, d.etag, d.last_modified,
            sound(json.dumps([r.to_dict() for r in d.regions], ensure_ascii=False)),
            sound(json.dumps(d.extra, ensure_ascii=False)),
        )

    def add_failures(self, crawl_id: int, failures: Iterable[Failure]) -> None:
        """Store failures, once per URL of a touchpoint: a URL reached again (by a sitemap and a
        link, by a resumed crawl) keeps its first failure."""
        seen: set[tuple[str, str]] = set()
        rows = []
        for f in failures:
            if (f.touchpoint, f.url) not in seen:
                seen.add((f.touchpoint, f.url))
                rows.append((crawl_id, f.touchpoint, sound(f.url), f.reason, f.status, sound(f.detail),
                             crawl_id, f.touchpoint, sound(f.url)))
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO failures(crawl_id, touchpoint, url, reason, status, detail) "
                "SELECT ?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM failures WHERE crawl_id=? "
                "AND touchpoint=? AND url=?)",
                rows,
            )

    def iter_documents(
        self, crawl_id: int, batch: int = 200, touchpoint: str | None = None,
        after_id: int = 0, upto_id: int | None = None, only: Collection[int] | None = None,
    ) -> Iterator[Document]:
        """Stream a crawl's documents in id order, ``batch`` rows at a time (only those with
        ``after_id`` < id <= ``upto_id`` when given: one process's share of a parallel audit;
        only the ids in ``only`` when given: those a re-audit audits again)."""
        last = after_id
        where = ("crawl_id=? AND id>?" + (" AND touchpoint=?" if touchpoint else "")
                 + (" AND id<=?" if upto_id is not None else ""))
        while True:
            args: tuple[Any, ...] = ((crawl_id, last) + ((touchpoint,) if touchpoint else ())
                                     + ((upto_id,) if upto_id is not None else ()))
            rows = self.db.execute(
                f"SELECT * FROM documents WHERE {where} ORDER BY id LIMIT {int(batch)}", args
            ).fetchall()
            if not rows:
                return
            for row in rows:
                if only is None or row["id"] in only:
                    yield _document(row)
            last = rows[-1]["id"]

    def document_ids(self, crawl_id: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents WHERE crawl_id=? ORDER BY id",
                                              (crawl_id,))]

    def iter_texts(self, crawl_id: int) -> Iterator[tuple[str, list[str]]]:
        """(touchpoint, region texts) of each document of a crawl, in id order: what counting
        repeated blocks needs, without building documents."""
        for _, touchpoint, regions in self.iter_region_texts(crawl_id):
            yield touchpoint, [text for _, text in regions]

    def iter_region_texts(self, crawl_id: int, batch: int = 500
                          ) -> Iterator[tuple[int, str, list[tuple[str, str]]]]:
        """(id, touchpoint, [(region name, text)]) of each document of a crawl, in id order."""
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT id, touchpoint, regions FROM documents WHERE crawl_id=? AND id>? "
                f"ORDER BY id LIMIT {int(batch)}", (crawl_id, last)).fetchall()
            if not rows:
                return
            for row in rows:
                regions = jsontext.loads(row["regions"])
                yield row["id"], row["touchpoint"], [(r["name"], r["text"]) for r in regions]
            last = rows[-1]["id"]

    def document_keys(self, crawl_id: int) -> set[tuple[str, str]]:
        """(touchpoint, url) of every document of a crawl: which pages it stored."""
        return {(t, u) for t, u in self.db.execute(
            "SELECT touchpoint, url FROM documents WHERE crawl_id=?", (crawl_id,))}

    def document_span(self, crawl_id: int) -> tuple[int, int]:
        """(number of documents, highest id) of a crawl: changes whenever a document is added."""
        count, top = self.db.execute("SELECT count(*), max(id) FROM documents WHERE crawl_id=?",
                                     (crawl_id,)).fetchone()
        return int(count), int(top or 0)

    def document_count(self, crawl_id: int) -> int:
        return self.db.execute(
            "SELECT count(*) FROM documents WHERE crawl_id=?", (crawl_id,)
        ).fetchone()[0]

    def failures(self, crawl_id: int) -> list[Failure]:
        return [
            Failure(r["touchpoint"], r["url"], r["reason"], r["detail"], r["status"], crawl_id)
            for r in self.db.execute(
                "SELECT * FROM failures WHERE crawl_id=? ORDER BY id", (crawl_id,)
            )
        ]

    def known_hashes(self, crawl_id: int, touchpoint: str) -> dict[str, str]:
        """content hash -> url of the documents already stored for a touchpoint."""
        return {
            h: u
            for h, u in self.db.execute(
                "SELECT content_hash, url FROM documents WHERE crawl_id=? AND touchpoint=?",
                (crawl_id, touchpoint),
            )
        }

    # -- frontier -----------------------------------------------------------------------
    def frontier_add(self, crawl_id: int, touchpoint: str, urls: Iterable[tuple[str, int]]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO frontier(crawl_id, touchpoint, url, depth) VALUES (?,?,?,?)",
                [(crawl_id, touchpoint, u, d) for u, d in urls],
            )

    def frontier_mark(self, crawl_id: int, touchpoint: str, urls: Iterable[str], state: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE frontier SET state=? WHERE crawl_id=? AND touchpoint=? AND url=?",
                [(state, crawl_id, touchpoint, u) for u in urls],
            )

    def frontier_update(
        self, crawl_id: int, touchpoint: str, added: Iterable[tuple[str, int]],
        marks: Iterable[tuple[str, str]],
    ) -> None:
        """Add discovered URLs as pending, then set the state of (url, state) marks, in one
        transaction: a page is never marked fetched without the pending links found on it."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO frontier(crawl_id, touchpoint, url, depth) VALUES (?,?,?,?)",
                [(crawl_id, touchpoint, u, d) for u, d in added],
            )
            self.db.executemany(
                "UPDATE frontier SET state=? WHERE crawl_id=? AND touchpoint=? AND url=?",
                [(state, crawl_id, touchpoint, u) for u, state in marks],
            )

    def frontier(self, crawl_id: int, touchpoint: str, state: str | None = None) -> list[sqlite3.Row]:
        sql = "SELECT url, depth, state FROM frontier WHERE crawl_id=? AND touchpoint=?"
        args: tuple[Any, ...] = (crawl_id, touchpoint)
        if state:
            sql += " AND state=?"
            args += (state,)
        return self.db.execute(sql, args).fetchall()


def _document(row: sqlite3.Row) -> Document:
    return Document(
        touchpoint=row["touchpoint"],
        kind=row["kind"],
        url=row["url"],
        title=row["title"],
        regions=[Region.from_dict(r) for r in jsontext.loads(row["regions"])],
        status=row["status"],
        fetched_at=row["fetched_at"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_hash=row["content_hash"],
        extra=jsontext.loads(row["extra"]),
        id=row["id"],
        crawl_id=row["crawl_id"],
    )


class RunStore:
    """Audit runs, their findings and fact observations, on the same store connection."""

    def __init__(self, store: Store):
        self.db = store.db
        self.path = store.path

    def start_run(self, crawl_id: int, config_hash: str, rules_hash: str) -> int:
        cur = self.db.execute(
            "INSERT INTO runs(crawl_id, started_at, config_hash, rules_hash) VALUES (?,?,?,?)",
            (crawl_id, now(), config_hash, rules_hash),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, totals: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, totals=? WHERE id=?",
            (now(), json.dumps(totals), run_id),
        )

    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        rows = [
            (run_id, f.kind, f.rule, f.severity, f.message, f.expected, f.fingerprint, f.status,
             jsontext.dumps([loc.to_dict() for loc in f.locations]), jsontext.dumps(f.extra))
            for f in findings
        ]
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO findings(run_id, kind, rule, severity, message, expected, fingerprint, "
                "status, locations, extra) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )

    def add_observations(self, run_id: int, observations: Iterable[Observation]) -> None:
        rows = [
            (run_id, o.fact, o.qualifier,
             jsontext.dumps({"value": o.value, "display": o.display,
                         **({"why": o.why} if o.why else {}),
                         **({"history": o.history} if o.history else {})}),
             o.text, jsontext.dumps(o.location.to_dict()))
            for o in observations
        ]
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO observations(run_id, fact, qualifier, value, text, location) "
                "VALUES (?,?,?,?,?,?)",
                rows,
            )

    def run(self, run_id: int | None = None) -> sqlite3.Row:
        """The named run, or the latest finished one."""
        if run_id is None:
            row = self.db.execute(
                "SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
        else:
            row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            what = "no audit run" if run_id is None else f"no audit run {run_id}"
            raise StoreError(f"{self.path}: {what} in the store; run 'touchaudit audit' first")
        return row

    def runs(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM runs ORDER BY id").fetchall()

    def previous_run(self, run_id: int) -> sqlite3.Row | None:
        """The last finished run before this one of the same config (for new/open/fixed)."""
        this = self.run(run_id)
        return self.db.execute(
            "SELECT * FROM runs WHERE id<? AND config_hash=? AND finished_at IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            (run_id, this["config_hash"]),
        ).fetchone()

    def findings(self, run_id: int, absent_from: Collection[str] | None = None) -> list[Finding]:
        """A run's findings in order; only those whose fingerprint is not in ``absent_from`` when
        given (what is gone since: usually few, so the others are never decoded)."""
        if absent_from is None:
            rows = self.db.execute("SELECT * FROM findings WHERE run_id=? ORDER BY id", (run_id,)).fetchall()
        else:
            ids = [i for i, fp in self.db.execute("SELECT id, fingerprint FROM findings WHERE run_id=? "
                                                  "ORDER BY id", (run_id,)) if fp not in absent_from]
            chunks = [ids[at:at + 500] for at in range(0, len(ids), 500)]
            rows = [row for chunk in chunks for row in self.db.execute(
                f"SELECT * FROM findings WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk)]
        return [
            Finding(
                kind=r["kind"], rule=r["rule"], severity=r["severity"], message=r["message"],
                locations=[Location.from_dict(d) for d in jsontext.loads(r["locations"])],
                expected=r["expected"], fingerprint=r["fingerprint"], status=r["status"],
                extra=jsontext.loads(r["extra"]), id=r["id"],
            )
            for r in rows
        ]

    def fingerprints(self, run_id: int) -> set[str]:
        return {fp for (fp,) in self.db.execute("SELECT fingerprint FROM findings WHERE run_id=?", (run_id,))}

    def observations(self, run_id: int) -> list[Observation]:
        out = []
        for r in self.db.execute(
            "SELECT * FROM observations WHERE run_id=? ORDER BY id", (run_id,)
        ):
            value = jsontext.loads(r["value"])
            out.append(Observation(
                fact=r["fact"], value=value["value"], text=r["text"],
                location=Location.from_dict(jsontext.loads(r["location"])),
                qualifier=r["qualifier"], display=value.get("display", ""),
                why=value.get("why", ""), history=value.get("history", ""),
            ))
        return out

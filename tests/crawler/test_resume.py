"""A crawl stopped half-way (kill -9, Ctrl-C) resumes from the store's frontier: no page lost,
no stored page fetched again.

The site is generated (60 pages) and served slowly by a FixtureServer of its own, so the crawl is
still running when the test stops it; the store pipeline writes in batches of BATCH documents.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audit.store import Store
from tests.crawl_helpers import (
    crawl,
    page_fetches,
    start_crawl,
    stop_half_way,
    stored_documents,
    write_site,
)
from tests.server import FixtureServer

PAGES = 60
BATCH = 3
CONCURRENCY = 2


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureServer, list[str]]]:
    root = tmp_path_factory.mktemp("big-site")
    paths = write_site(root, PAGES)
    with FixtureServer(root) as srv:
        srv.delay = 0.1  # each request: a crawl of the site takes a few seconds
        yield srv, paths


@pytest.fixture
def small_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Project settings with TOUCHAUDIT_BATCH = BATCH for the crawl subprocesses."""
    (tmp_path / "resume_settings.py").write_text(
        f"from crawler.settings import *  # noqa: F403\nTOUCHAUDIT_BATCH = {BATCH}\n", encoding="utf-8"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "resume_settings")


def config(base: str) -> str:
    return f"""
crawl:
  concurrency: {CONCURRENCY}
  per_host: {CONCURRENCY}
  retries: 0
touchpoints:
  - name: big
    kind: website
    start_urls: [{json.dumps(base + "/")}]
    max_depth: 100
"""


def test_a_killed_crawl_resumes_without_losing_or_refetching_a_page(
    big: tuple[FixtureServer, list[str]], tmp_path: Path, small_batches: None
) -> None:
    srv, paths = big
    first = len(srv.responses)
    store_path = tmp_path / "touchaudit.db"
    proc = start_crawl(tmp_path, config(srv.base))
    stop_half_way(proc, lambda: stored_documents(store_path) >= 4 * BATCH, signal.SIGKILL)
    with Store(store_path) as store:
        killed = store.crawl()
        assert killed["state"] == "running", "the crawl ended before it could be killed"
        before_docs = {urlsplit(d.url).path for d in store.iter_documents(killed["id"])}
        marked = {urlsplit(r["url"]).path for r in store.frontier(killed["id"], "big", "fetched")}
        pending = store.frontier(killed["id"], "big", "pending")
    assert before_docs and pending, "killed half-way: pages stored and pages still to fetch"
    assert marked <= before_docs, "no page is marked fetched before its document is stored"

    result = crawl(tmp_path, config(srv.base), "--resume")

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.crawl_id == killed["id"] and result.state == "complete"
    got = [urlsplit(d.url).path for d in result.documents]
    assert sorted(got) == sorted(paths), "every page stored, each exactly once"
    fetches = page_fetches(srv, first)
    assert set(fetches) == set(paths)
    twice = {p for p, n in fetches.items() if n > 1}
    assert not twice & marked, "a page marked fetched is never asked for again"
    # Asked twice at most: pages of the batch not yet written and responses in flight at the kill.
    assert len(twice) <= BATCH + CONCURRENCY, sorted(twice)
    assert not result.failures


def test_a_crawl_stopped_with_ctrl_c_is_interrupted_and_resumes(
    big: tuple[FixtureServer, list[str]], tmp_path: Path, small_batches: None
) -> None:
    srv, paths = big
    first = len(srv.responses)
    store_path = tmp_path / "touchaudit.db"
    proc = start_crawl(tmp_path, config(srv.base))
    # SIGINT is Scrapy's graceful stop: requests in flight finish.
    stop_half_way(proc, lambda: stored_documents(store_path) >= 2 * BATCH, signal.SIGINT)
    with Store(store_path) as store:
        stopped = store.crawl()
        before_docs = {urlsplit(d.url).path for d in store.iter_documents(stopped["id"])}
    assert stopped["state"] == "interrupted"

    result = crawl(tmp_path, config(srv.base), "--resume")

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.crawl_id == stopped["id"] and result.state == "complete"
    assert sorted(urlsplit(d.url).path for d in result.documents) == sorted(paths)
    fetches = page_fetches(srv, first)
    assert all(n == 1 for n in fetches.values()), "a graceful stop writes everything it fetched"
    assert before_docs < set(fetches)


def test_resume_without_a_stopped_crawl_starts_a_new_one(
    big: tuple[FixtureServer, list[str]], tmp_path: Path
) -> None:
    srv, paths = big
    first = crawl(tmp_path, config(srv.base).replace("max_depth: 100", "max_depth: 0"))
    assert first.state == "complete" and first.urls == [srv.base + "/"]

    again = crawl(tmp_path, config(srv.base).replace("max_depth: 100", "max_depth: 0"), "--resume")

    assert again.returncode == 0, again.stderr[-3000:]
    assert again.crawl_id == first.crawl_id + 1 and again.state == "complete"
    assert "starting a new crawl" in again.stderr


def test_a_second_writer_of_a_crawl_is_refused(
    big: tuple[FixtureServer, list[str]], tmp_path: Path, small_batches: None
) -> None:
    """While a crawl runs, `crawl --resume` of it refuses (exit 2, a clear line) instead of
    fetching its pages a second time; the first crawl ends complete with every page once."""
    srv, paths = big
    first = len(srv.responses)
    store_path = tmp_path / "touchaudit.db"
    proc = start_crawl(tmp_path, config(srv.base))
    try:
        deadline = time.monotonic() + 60
        while stored_documents(store_path) < BATCH and time.monotonic() < deadline:
            time.sleep(0.05)
        second = crawl(tmp_path, config(srv.base), "--resume")
    finally:
        _, err = proc.communicate(timeout=300)
    assert second.returncode == 2
    assert "is being written by process" in second.stderr and "Traceback" not in second.stderr
    assert proc.returncode == 0, err.decode()[-3000:]
    with Store(store_path) as store:
        row = store.crawl()
        docs = sorted(urlsplit(d.url).path for d in store.iter_documents(row["id"]))
    assert row["state"] == "complete" and docs == sorted(paths)
    assert all(n == 1 for n in page_fetches(srv, first).values())

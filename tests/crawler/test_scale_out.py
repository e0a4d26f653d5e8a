"""Scale-out on a shared Redis frontier: two crawl processes, one site, every page once.

A real redis-server is started on a free port on 127.0.0.1; the crawls are real `touchaudit
crawl` processes against a generated site served by the fixture server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.store import Store
from tests.crawl_helpers import crawl, start_crawl, write_site
from tests.server import FixtureServer

PAGES = 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (make system-deps installs it)")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureServer]:
    root = tmp_path_factory.mktemp("site")
    write_site(root, PAGES)
    with FixtureServer(root) as srv:
        srv.delay = 0.1  # slow enough that both processes get work
        yield srv


def _config(base: str, redis_url: str | None) -> str:
    shared = f"\n          redis_url: {redis_url}" if redis_url else ""
    return f"""
        touchpoints:
          - {{name: site, kind: website, start_urls: ["{base}/"], sitemap: false, robots: false}}
        crawl:
          concurrency: 2{shared}
        """


def _stored(store_path: Path) -> tuple[int, str, dict[str, str]]:
    with Store(store_path) as store:
        row = store.crawl()
        docs = {d.url: d.content_hash for d in store.iter_documents(row["id"])}
        return row["id"], row["state"], docs


def test_two_processes_share_the_frontier_and_crawl_each_page_once(tmp_path, site, redis_url, monkeypatch):
    (tmp_path / "single").mkdir()
    single = crawl(tmp_path / "single", _config(site.base, None))
    assert single.state == "complete"
    expected = {d.url: d.content_hash for d in single.documents}
    assert len(expected) == PAGES

    site.responses.clear()
    shared = tmp_path / "shared"
    shared.mkdir()
    config = _config(site.base, redis_url)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.crawler.progress_settings")  # "done" lines
    first = start_crawl(shared, config)
    second = start_crawl(shared, config)
    stored_by = []
    for proc in (first, second):
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()[-2000:]
        done = [line for line in err.decode().splitlines() if line.startswith("done site:")]
        stored_by.append(int(done[-1].split()[2]))
    assert sum(stored_by) == PAGES
    assert all(n > 0 for n in stored_by), f"one process did all the work: {stored_by}"

    fetched = Counter(path for path, status in site.responses if status == 200)
    assert all(n == 1 for n in fetched.values()), [p for p, n in fetched.items() if n > 1]
    crawl_id, state, docs = _stored(shared / "touchaudit.db")
    assert state == "complete"
    assert docs == expected  # the same pages and content as the single-process crawl
    with Store(shared / "touchaudit.db") as store:
        assert [r["id"] for r in store.crawls()] == [crawl_id]  # the second process joined the first's

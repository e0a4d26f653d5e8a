"""Incremental re-crawls: with ``crawl: {httpcache: true}`` a second crawl revalidates every page
(If-None-Match / If-Modified-Since), the server answers 304 for what did not change, and the
second crawl stores the same documents as the first from Scrapy's HTTP cache beside the store."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.crawl_helpers import CrawlResult, crawl, write_site
from tests.server import FixtureServer

PAGES = 12


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureServer, Path, list[str]]]:
    root = tmp_path_factory.mktemp("site")
    paths = write_site(root, PAGES)
    with FixtureServer(root) as srv:
        yield srv, root, paths


def config(base: str) -> str:
    return f"""
crawl:
  httpcache: true
  retries: 0
touchpoints:
  - name: site
    kind: website
    start_urls: [{json.dumps(base + "/")}]
    max_depth: 100
"""


def statuses(srv: FixtureServer, start: int, paths: list[str]) -> Counter[int]:
    """Response statuses of page URLs since ``start``."""
    return Counter(code for p, code in srv.responses[start:] if p in paths)


def documents(result: CrawlResult) -> dict[str, tuple[str, int | None]]:
    return {urlsplit(d.url).path: (d.content_hash, d.status) for d in result.documents}


def test_an_unchanged_site_is_revalidated_with_304s_and_stored_again_in_full(
    site: tuple[FixtureServer, Path, list[str]], tmp_path: Path
) -> None:
    srv, _root, paths = site
    first = crawl(tmp_path, config(srv.base))
    assert first.returncode == 0, first.stderr[-3000:]
    assert statuses(srv, 0, paths) == {200: PAGES}
    assert (tmp_path / "touchaudit.httpcache").is_dir(), "the HTTP cache lives beside the store"
    mark = len(srv.requests)

    second = crawl(tmp_path, config(srv.base))

    assert second.returncode == 0, second.stderr[-3000:]
    assert second.crawl_id == first.crawl_id + 1 and second.state == "complete"
    assert statuses(srv, mark, paths) == {304: PAGES}
    for _method, path, headers in srv.requests[mark:]:
        if path in paths:
            assert headers.get("If-None-Match") and headers.get("If-Modified-Since"), path
    assert documents(second) == documents(first), "same documents, each with the cached 200"
    assert {status for _hash, status in documents(second).values()} == {200}


def test_a_changed_page_is_fetched_again_and_stored_as_it_is_now(
    site: tuple[FixtureServer, Path, list[str]], tmp_path: Path
) -> None:
    srv, root, paths = site
    first = crawl(tmp_path, config(srv.base))
    assert first.returncode == 0, first.stderr[-3000:]
    page = root / "pages" / "3.html"
    page.write_text(page.read_text(encoding="utf-8").replace("says:", "now says:"), encoding="utf-8")
    mark = len(srv.requests)

    second = crawl(tmp_path, config(srv.base))

    assert statuses(srv, mark, paths) == {304: PAGES - 1, 200: 1}
    before, after = documents(first), documents(second)
    assert set(after) == set(before)
    assert [p for p in after if after[p] != before[p]] == ["/pages/3.html"]
    assert any("now says:" in r.text for r in second.doc("/pages/3.html").regions)

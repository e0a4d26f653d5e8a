"""Polite and persistent: a rate-limited server (429 with Retry-After) still gives up every page,
retries back off, and a Retry-After in seconds or as an HTTP date is read."""

from __future__ import annotations

import email.utils
from pathlib import Path

from scrapy.http import Response

from crawler.retry import retry_after
from tests.crawl_helpers import crawl, write_site
from tests.server import FixtureServer


def test_a_site_allowing_five_requests_a_second_is_collected_completely(tmp_path: Path) -> None:
    paths = write_site(tmp_path / "site", 100)
    (tmp_path / "run").mkdir()
    with FixtureServer(tmp_path / "site") as srv:
        srv.rate_limit = 5.0
        result = crawl(tmp_path / "run", f"""
            crawl:
              concurrency: 8
            touchpoints:
              - name: site
                kind: website
                start_urls: ["{srv.base}/"]
                robots: false
            """, timeout=300)
        limited = [path for path, status in srv.responses if status == 429]
    assert result.returncode == 0, result.stderr[-3000:]
    assert limited, "the server never said 'too many requests': the test tests nothing"
    assert result.failures == []
    assert len(result.documents) == len(paths) == 100


def test_retry_after_in_seconds_or_as_a_date() -> None:
    def with_header(value: str) -> Response:
        return Response("https://example.test/", status=429, headers={"Retry-After": value})

    assert retry_after(with_header("120")) == 120
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert retry_after(with_header(date), now=1_000_000) == 30
    assert retry_after(with_header("soon")) is None
    assert retry_after(Response("https://example.test/", status=429)) is None

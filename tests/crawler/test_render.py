"""Pages that need JavaScript: a touchpoint with ``render`` reads them after Chromium ran their
scripts (scrapy-playwright with Debian's /usr/bin/chromium); without it they are named as empty."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.crawl_helpers import crawl
from tests.server import SITES, FixtureServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def _site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(SITES / "acme" / "app.html", root / "app.html")
    (root / "index.html").write_text('<html><body><p>Home of the app.</p>'
                                     '<a href="/app.html">App</a></body></html>')
    return root


def _config(base: str, render: object) -> str:
    return f"""
crawl:
  retries: 0
touchpoints:
  - name: app
    kind: website
    start_urls: ["{base}/"]
    sitemap: false
    robots: false
    render: {render}
"""


def test_a_page_built_by_javascript_is_read_after_it_ran(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    pytest.importorskip("scrapy_playwright")
    with FixtureServer(_site(tmp_path)) as srv:
        result = crawl(tmp_path, _config(srv.base, '["/app\\\\.html$"]'), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    app = result.doc("/app.html")
    text = "\n".join(r.text for r in app.regions)
    assert "Your dashboard" in text and "keeps 2500 features" in text and "needs_scripts" not in app.extra
    assert "look" not in result.stderr  # nothing named as empty


def test_without_render_the_page_is_named_as_empty(tmp_path: Path) -> None:
    with FixtureServer(_site(tmp_path)) as srv:
        result = crawl(tmp_path, _config(srv.base, "false"))
    assert result.returncode == 0, result.stderr[-3000:]
    app = result.doc("/app.html")
    assert "Your dashboard" not in "\n".join(r.text for r in app.regions) and "needs_scripts" in app.extra
    assert "1 page looks empty without JavaScript" in result.stderr

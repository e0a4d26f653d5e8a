"""The report in a real headless Chromium: no script from page text runs, nothing is fetched,
the filter and the views work, and 20,000 findings still render and filter.

Uses Debian's /usr/bin/chromium through Playwright (never a downloaded browser). Skipped when
that browser is absent, except in CI (CI set), where its absence fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.findings import Finding, Location
from audit.outputs import write_outputs

from .conftest import RunSpec, build_store, sample_documents, sample_failures, sample_run
from .xss import BREAKOUT, IMG, JS_URL, QUOTES, SCRIPT, build_xss_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Opened:
    """A page with everything it tried to do recorded."""

    def __init__(self, browser, report: Path):
        self.url = report.resolve().as_uri()
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url, wait_until="load", timeout=120_000)

    def visible(self, selector: str) -> int:
        return self.page.evaluate(
            "s => Array.from(document.querySelectorAll(s)).filter(e => e.offsetParent !== null).length",
            selector)

    def wait_count(self, text: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(
                "t => document.getElementById('f-count').textContent.includes(t)", arg=text, timeout=60_000)
        except PlaywrightTimeout:
            shown = self.page.text_content("#f-count")
            raise AssertionError(f"count never read {text!r}; it reads {shown!r}") from None

    def close(self) -> None:
        self.page.close()


def _report(store: Path, out: Path) -> Path:
    return write_outputs(store, out, formats=["html"])["html"]


def test_payloads_in_crawled_text_are_shown_and_never_run(browser, tmp_path):
    report = _report(build_xss_store(tmp_path / "x.db"), tmp_path / "out")
    o = Opened(browser, report)
    try:
        page = o.page
        page.click("#v-page")  # the other view renders the same strings in other places
        page.click("#v-kind")
        page.focus("#f-q")
        page.keyboard.press("Tab")
        for d in page.query_selector_all("details"):
            d.evaluate("d => d.open = true")
        assert o.dialogs == []
        assert page.evaluate("window.__xss") is None
        text = page.inner_text("body")
        for payload in (SCRIPT, IMG, BREAKOUT, QUOTES.strip()):
            assert payload in text
        assert JS_URL in text  # shown, not linked
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        assert hrefs and all(h.startswith(("https://", "#")) for h in hrefs), hrefs
        js_links = "as => as.filter(a => /^\\s*javascript:/i.test(a.href)).length"
        assert page.eval_on_selector_all("a", js_links) == 0
        assert page.evaluate("document.scripts.length") == 1  # the report's own
        injected = "document.querySelectorAll('img, iframe, [onload], [onerror], [onfocus]').length"
        assert page.evaluate(injected) == 0
        assert o.requests == [o.url]
        assert o.errors == []
    finally:
        o.close()


def test_filters_views_and_search_change_what_is_shown(browser, tmp_path):
    first = sample_run()
    first.findings.append(first.findings[0].__class__(
        "term", "old-rule", "warning", "gone", [first.findings[0].locations[0]], "X", "fp-old", "new"))
    store = tmp_path / "s.db"
    build_store(store, [first, sample_run()], documents=sample_documents(), failures=sample_failures())
    o = Opened(browser, _report(store, tmp_path / "out"))
    try:
        page = o.page
        assert o.visible(".finding") == 5
        page.select_option("#f-sev", "error")
        o.wait_count("Showing 2 of 5")
        assert o.visible(".finding") == 2
        page.select_option("#f-sev", "")
        page.select_option("#f-status", "fixed")
        o.wait_count("Showing 1 of 5")
        page.click("#f-reset")
        page.fill("#f-q", "AcmeCloud")
        o.wait_count("Showing 1 of 5")
        assert o.visible(".finding") == 1
        page.fill("#f-q", "")
        tp = page.eval_on_selector("#f-tp", "s => Array.from(s.options).find(o => o.text === 'help').value")
        page.select_option("#f-tp", tp)
        o.wait_count("Showing 2 of 5")
        page.click("#f-reset")
        page.focus("#v-page")
        page.keyboard.press("Enter")  # a real button: the keyboard works it
        o.wait_count("places")
        assert page.get_attribute("#v-page", "aria-pressed") == "true"
        assert o.visible(".finding") == 0 and o.visible(".hit") == 8
        page.fill("#f-q", "pricing")
        o.wait_count("Showing 1 of 8")
        page.click("#f-reset")
        page.click("#v-kind")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 0
        assert o.requests == [o.url] and o.errors == []
    finally:
        o.close()


def test_twenty_thousand_findings_render_and_filter(browser, tmp_path):
    n = 20_000
    findings = []
    for i in range(n):
        text = "acme cloud" if i % 3 else "Acme-Cloud"
        sentence = f"Page {i % 400}: try {text} today, item {i}."
        start = sentence.index(text)
        loc = Location(("site", "help", "mail")[i % 3], f"https://example.test/p{i % 400}", "body", start,
                       start + len(text), text, sentence, 0, f"Page {i % 400}")
        findings.append(Finding("term", f"rule-{i % 7}", ("error", "warning", "info")[i % 3],
                                f"Write 'Acme Cloud' ({i})", [loc], "Acme Cloud", f"fp{i}", "new"))
    store = tmp_path / "big.db"
    build_store(store, [RunSpec(findings)], documents=sample_documents(), failures=[])
    o = Opened(browser, _report(store, tmp_path / "out"))
    try:
        page = o.page
        o.wait_count(f"Showing all {n} findings")
        page.select_option("#f-sev", "error")
        o.wait_count(f"Showing {n // 3 + 1} of {n}")
        page.fill("#f-q", "item 1998.")  # errors are every third item: this one only
        o.wait_count(f"Showing 1 of {n}")
        page.click("#f-reset")
        o.wait_count(f"Showing all {n} findings")
        page.click("#v-page")
        o.wait_count(f"Showing all {n} places")
        page.screenshot(path=str(tmp_path / "big.png"))
        assert o.errors == [] and o.requests == [o.url]
    finally:
        o.close()

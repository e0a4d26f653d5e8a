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

from audit.outputs import write_outputs

from .conftest import build_store, large_run, sample_documents, sample_failures, sample_run
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
        assert o.visible(".grp") == 5
        page.select_option("#f-sev", "error")
        o.wait_count("Showing 2 of 5")
        assert o.visible(".grp") == 2
        page.select_option("#f-sev", "")
        page.select_option("#f-status", "fixed")
        o.wait_count("Showing 1 of 5")
        page.click("#f-reset")
        page.fill("#f-q", "AcmeCloud")
        o.wait_count("Showing 1 of 5")
        assert o.visible(".grp") == 1
        page.fill("#f-q", "")
        tp = page.eval_on_selector("#f-tp", "s => Array.from(s.options).find(o => o.text === 'help').value")
        page.select_option("#f-tp", tp)
        o.wait_count("Showing 2 of 5")
        page.click("#f-reset")
        page.focus("#v-page")
        page.keyboard.press("Enter")  # a real button: the keyboard works it
        o.wait_count("pages")
        assert page.get_attribute("#v-page", "aria-pressed") == "true"
        assert o.visible(".grp") == 0 and o.visible(".pg") == 4
        page.fill("#f-q", "pricing")
        o.wait_count("Showing 1 of 4 pages")
        # A page opens with every place on it, each saying which group it belongs to.
        page.click(".pg:not([hidden]) summary")
        page.wait_for_selector(".pg[open] .hits li")
        hits = page.locator(".pg[open] .hits li")
        assert hits.count() == 1 and "trial-length" in hits.first.locator(".hh").inner_text()
        page.click("#f-reset")
        page.click("#v-kind")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 0
        assert o.requests == [o.url] and o.errors == []
    finally:
        o.close()


def test_contradictions_come_first_and_groups_open_by_keyboard(browser, tmp_path):
    store = tmp_path / "s.db"
    build_store(store, [sample_run()], documents=sample_documents(), failures=sample_failures())
    o = Opened(browser, _report(store, tmp_path / "out"))
    try:
        page = o.page
        tops = page.evaluate("""() => ['#contradictions', '#fix-first', '#findings', '#facts', '#summary']
            .map(s => document.querySelector(s).getBoundingClientRect().top)""")
        assert tops == sorted(tops)
        assert page.evaluate("document.querySelector('#contradictions').getBoundingClientRect().top") < 900
        group = page.locator("details.grp").first
        group.locator("summary").focus()
        page.keyboard.press("Enter")
        assert group.evaluate("d => d.open") and group.locator("ul.locs li").count() == 1
        page.keyboard.press("Enter")
        assert not group.evaluate("d => d.open")
        # The evidence link opens the fact's panel with every statement, grouped by value.
        page.click("#contradictions .ev a")
        page.wait_for_selector("details.fact[open]")  # opened by the page's script on the hash change
        panel = page.locator("details.fact[open]")
        assert panel.count() == 1 and panel.locator("h4").count() == 2
        assert panel.locator("li").count() == 4 and "Read as" in panel.inner_text()
        assert o.errors == [] and o.requests == [o.url]
    finally:
        o.close()


def _large_report(tmp_path: Path) -> Path:
    store = tmp_path / "big.db"
    build_store(store, [large_run()], documents=sample_documents(), failures=sample_failures())
    return _report(store, tmp_path / "out")


def test_twenty_thousand_places_stay_small_render_and_filter(browser, tmp_path):
    report = _large_report(tmp_path)
    assert report.stat().st_size < 8_000_000
    o = Opened(browser, report)
    try:
        page = o.page
        groups = page.evaluate("document.querySelectorAll('details.grp').length")
        assert 100 < groups < 400  # 20,000 places, one group per rule and wording
        o.wait_count(f"Showing all {groups} groups")
        page.select_option("#f-sev", "error")
        o.wait_count(f"of {groups} groups")
        page.fill("#f-q", "acme-cloud29")  # the errors among its 7 rules: rule-0, rule-3, rule-6
        o.wait_count(f"Showing 3 of {groups} groups")
        page.click("#f-reset")
        page.click("#v-page")
        o.wait_count("Showing all 400 pages")
        page.click(".pg summary")
        page.wait_for_selector(".pg[open] .hits li")
        assert o.visible(".pg[open] .hits li") == 50 + 12  # its share of 20,000 places, and 12 facts
        assert o.errors == [] and o.requests == [o.url]
    finally:
        o.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_shows_everything_without_sideways_scrolling(browser, tmp_path, scheme):
    report = _large_report(tmp_path)
    page = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    try:
        page.goto(report.resolve().as_uri(), wait_until="load", timeout=120_000)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_timeout(200)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Every value of every contradiction is on screen horizontally.
        right = page.evaluate("Math.max(...Array.from(document.querySelectorAll('.contra .value'))"
                              ".map(e => e.getBoundingClientRect().right))")
        assert 0 < right <= 390
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_a_large_report(browser, tmp_path, scheme):
    import axe_playwright_python

    axe = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    report = _large_report(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True)
    try:
        page.goto(report.resolve().as_uri(), wait_until="load", timeout=120_000)
        # Open the contradictions' evidence and a few groups, so their contents are checked too.
        page.evaluate("""() => { const ds = document.querySelectorAll('details.grp, details.fact');
            for (let i = 0; i < ds.length; i += 20) { ds[i].open = true; } }""")
        page.evaluate(axe)
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
            resultTypes: ['violations']})""")
        bad = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"],
                v["nodes"][0]["failureSummary"])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == []
    finally:
        page.close()

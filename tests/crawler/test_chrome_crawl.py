"""A div-only site served on 127.0.0.1, crawled and audited as a user runs it: the template's
footer (no <footer> tag, no class word) is found by repetition, reported once with its pages,
and left out by ``exclude_regions: [nav, footer]``; text repeated on purpose stays content."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from audit.store import Store
from tests.audit.test_chrome_eval import PRECISION, RECALL, score_documents
from tests.crawl_helpers import REPO, crawl
from tests.server import SITES, FixtureServer

SITE = SITES / "chrome" / "fjordline"

RULES = """\
rules:
  - id: help-center
    kind: language
    avoid: help centre
    prefer: help center
  - id: help-center-content-only
    kind: language
    avoid: help centre
    prefer: help center
    exclude_regions: [nav, footer]
  - id: vat
    kind: language
    avoid: VAT
    prefer: value-added tax
    exclude_regions: [nav, footer]
  - id: minutes
    kind: language
    avoid: in minutes
    prefer: quickly
    exclude_regions: [nav, footer]
  - id: old-posts
    kind: language
    avoid: shift swaps
    prefer: shift trades
    regions: [body]
    after: 2021-01-01
"""


def _run(tmp_path: Path, base: str, extract: str = "") -> dict:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES)
    (tmp_path / "touchaudit.yaml").write_text(textwrap.dedent(f"""\
        touchpoints:
          - name: site
            kind: website
            start_urls: [{base}/index.html]
        """) + extract)
    proc = subprocess.run(
        [sys.executable, "-m", "audit.cli", "run", "-o", str(tmp_path / "out"), "--config",
         str(tmp_path / "touchaudit.yaml")],
        capture_output=True, text=True, timeout=180, cwd=REPO,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads((tmp_path / "out" / "findings.json").read_text())


def test_div_footer_is_chrome_reported_once_and_content_repeats_stay_content(tmp_path: Path) -> None:
    with FixtureServer(SITE) as srv:
        report = _run(tmp_path, srv.base)
    by_rule: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)

    # "Help centre" sits in the div-only footer of all 12 pages: one finding, its 12 pages listed;
    # the contact page also says it in its own text, which is a finding of its own.
    footer, content = sorted(by_rule["help-center"], key=lambda f: f["locations"][0]["chrome"] or "")[::-1]
    [loc] = footer["locations"]
    assert loc["chrome"] == "footer" and loc["region"] == "body" and loc["pages"] == 12
    assert len(footer["pages"]) == 12 and len(set(footer["pages"])) == 12
    assert content["locations"][0]["url"].endswith("/contact.html") and "pages" not in content
    # ... and a rule that leaves chrome out sees only the contact page's own sentence.
    [own] = by_rule["help-center-content-only"]
    assert own["locations"][0]["url"].endswith("/contact.html")

    # A legal sentence in the content of two pages is content: one finding per page.
    vat = by_rule["vat"]
    assert sorted(Path(f["locations"][0]["url"]).name for f in vat) == ["pricing.html", "terms.html"]
    assert all(f["locations"][0]["chrome"] is None and "pages" not in f for f in vat)

    # The tagline in the middle of three landing pages repeats, so it is read once, but it is the
    # pages' own text, not chrome: rules that leave chrome out still report it.
    [tagline] = by_rule["minutes"]
    assert tagline["locations"][0]["chrome"] is None and len(tagline["pages"]) == 3

    # The report says where the footer finding sits and lists its pages.
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<span class="region">footer</span> · <span class="pages">on 12 pages</span>' in html
    assert "The same block on 12 pages" in html


def test_selectors_set_in_the_config_reach_the_crawl(tmp_path: Path) -> None:
    """extract: main makes everything outside the content chrome; exclude drops text entirely."""
    with FixtureServer(SITE) as srv:
        report = _run(tmp_path, srv.base, textwrap.indent(textwrap.dedent("""\
            extract:
              main: ".body-area"
              exclude: [".hero-actions"]
            """), "    "))
    with Store(tmp_path / "touchaudit.db") as store:
        home = next(d for d in store.iter_documents(store.crawl()["id"]) if d.url.endswith("/index.html"))
    text = {r.name: r.text for r in home.regions}
    assert "See how it works" not in " ".join(text.values())  # excluded
    assert "Fjordline" in text["nav"]  # the top strip is outside the main content
    assert "Help centre" in text["footer"]
    # Chrome named by a selector is chrome: the footer phrase is out of the content-only rule.
    assert all(f["locations"][0]["url"].endswith("/contact.html")
               for f in report["findings"] if f["rule"] == "help-center-content-only")


def test_page_dates_scope_rules_and_structure_is_stored(tmp_path: Path) -> None:
    with FixtureServer(SITE) as srv:
        report = _run(tmp_path, srv.base)
    # The 2020 post (dated by its URL) is before the rule's window; a post of 2021 or later, or
    # an undated page, is audited.
    urls = {Path(f["locations"][0]["url"]).name for f in report["findings"] if f["rule"] == "old-posts"}
    assert "shift-swaps-without-chaos.html" not in urls and "pricing.html" in urls
    with Store(tmp_path / "touchaudit.db") as store:
        docs = {Path(d.url).name: d for d in store.iter_documents(store.crawl()["id"])}
    assert docs["shift-swaps-without-chaos.html"].published == "2020-06-18"
    # The pricing table: each price knows its plan (column) and its feature (row).
    body = docs["pricing.html"].region("body")
    assert body is not None
    cells = {(b.row, b.col): body.text[b.start:b.end] for b in body.lines() if b.col}
    assert cells, "the pricing table's cells keep their headers"
    assert all(row and col for row, col in cells)
    headings = {b.headings for b in body.lines() if b.headings}
    assert headings, "blocks keep the headings above them"


@pytest.mark.parametrize("name", ["fjordline", "harbordocs", "larkmail"])
def test_a_crawled_site_is_laid_out_as_its_labels_say(name: str, tmp_path: Path) -> None:
    """The spider stores what extraction reads: the stored crawl scores as the pages do."""
    site = SITES / "chrome" / name
    labels = json.loads((site / "labels.json").read_text(encoding="utf-8"))
    with FixtureServer(site) as srv:
        starts = ", ".join(f"{srv.base}/{page}" for page in labels["pages"])  # one page is unlinked
        result = crawl(tmp_path, f"""
            touchpoints:
              - name: {name}
                kind: website
                start_urls: [{starts}]
            """)
    assert result.returncode == 0, result.stderr
    assert len(result.documents) == len(labels["pages"]), result.urls
    score = score_documents(name, labels, result.documents)
    print(f"crawled {name}: chrome precision {score.precision:.3f}, recall {score.recall:.3f}")
    assert score.precision >= PRECISION and score.recall >= RECALL, "\n".join(score.misses)

"""A stored page of any length can be audited: a region longer than a tokenizer piece (a 6 MB
page) is tokenized in pieces joined into one Doc, so offsets stay the region's and a phrase cut
between two pieces is still matched."""

from __future__ import annotations

from pathlib import Path

import yaml

from audit.auditor import Auditor
from audit.documents import Document, Region
from audit.nlp import PIECE, pieces
from audit.rules import load_rules

RULES = {"rules": [{"id": "product", "kind": "term", "preferred": "CloudSync", "variants": ["Cloud Sync"]}]}


def test_pieces_join_back_and_cut_at_a_line_break_or_a_space():
    text = ("word " * 300_000) + "\n" + ("more " * 100_000)
    cut = pieces(text)
    assert "".join(cut) == text and all(len(p) <= PIECE for p in cut)
    assert cut[0].endswith(" ") and len(cut) == 3
    lines = "a line of text\n" * 100_000
    assert all(p.endswith("\n") for p in pieces(lines, 100_000))
    assert pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # no space at all: cut anywhere


def test_a_six_megabyte_region_is_audited_with_a_phrase_across_a_cut(tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(RULES), encoding="utf-8")
    filler = "lorem ipsum dolor sit amet "
    head = filler * ((PIECE - 10) // len(filler))
    head += "x" * (PIECE - 7 - len(head)) + " "  # "Cloud " ends the first piece, "Sync" begins the next
    text = head + "Cloud Sync " + filler * (5_000_000 // len(filler)) + "Try Cloud Sync today."
    assert len(text) > 6_000_000
    assert pieces(text)[0].endswith("Cloud ") and pieces(text)[1].startswith("Sync")
    doc = Document("site", "website", "https://acme.example/huge", "Huge", [Region("body", text)])
    auditor = Auditor(load_rules([rules]))
    findings = list(auditor.audit([doc])) + auditor.finish()
    places = [(loc.start, loc.text) for f in findings for loc in f.locations]
    assert places == [(len(head), "Cloud Sync"), (text.rindex("Cloud Sync"), "Cloud Sync")]
    assert all(text[loc.start:loc.end] == loc.text for f in findings for loc in f.locations)


def test_a_served_six_megabyte_page_is_crawled_then_audited(tmp_path: Path):
    """The page is fetched (under the 10 MB limit) and `touchaudit audit` reads it whole: the
    finding at its very end is found (a warning), no traceback."""
    import subprocess
    import sys

    from tests.crawl_helpers import REPO, crawl
    from tests.server import FixtureServer

    root = tmp_path / "site"
    root.mkdir()
    filler = "<p>" + "Sync every folder of your team with one plan. " * 40 + "</p>\n"
    body = filler * (6_100_000 // len(filler)) + "<p>Try Cloud Sync today.</p>"
    (root / "index.html").write_text(f"<html><body>{body}</body></html>")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "brand.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    with FixtureServer(root) as srv:
        result = crawl(tmp_path, f"""
            rules: [rules]
            touchpoints:
              - name: site
                kind: website
                start_urls: ["{srv.base}/"]
                sitemap: false
                robots: false
            """, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(result.doc("/").region("body").text) > 6_000_000
    audit = subprocess.run([sys.executable, "-m", "audit.cli", "audit", "--config",
                            str(tmp_path / "touchaudit.yaml")], capture_output=True, text=True, cwd=REPO,
                           timeout=600)
    assert audit.returncode == 0 and "Traceback" not in audit.stderr, audit.stderr[-3000:]
    assert "of crawl 1: 1 document" in audit.stdout and "0 error, 1 warning" in audit.stdout

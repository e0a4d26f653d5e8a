"""Every rule kind's cases as data (like sqlfluff's std_rule_cases): tests/rules/<kind>/*.yml.

Each file holds a real rule file's ``rules:`` and ``cases:``; a case lists documents (touchpoint ->
text, or a list of {touchpoint, url, region, text} — or {touchpoint, url, html} for a page read
as the crawler reads it, and ``date`` for the page's date) and exactly the findings expected: rule
and text, plus any of touchpoint, severity, message, expected, chrome and pages. The documents of
a case are one crawl: blocks they repeat are chrome, as in a real audit.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.auditor import Auditor
from audit.chrome import learn
from audit.documents import Document, Region
from audit.rules import load_rules
from audit.text import clean
from audit.yamlfile import loads
from crawler.extract import extract

HERE = Path(__file__).parent
CASE_FILES = sorted(HERE.glob("*/*.yml"))


def _cases() -> list[Any]:
    out = []
    for path in CASE_FILES:
        data = loads(path.read_text())
        for case in data["cases"]:
            out.append(pytest.param(path, case, id=f"{path.parent.name}/{path.stem}::{case['name']}"))
    return out


def _documents(spec: Any) -> list[Document]:
    items = ([{"touchpoint": tp, "text": text} for tp, text in spec.items()]
             if isinstance(spec, dict) else spec)
    docs = []
    for i, item in enumerate(items):
        tp = item["touchpoint"]
        extra = {"published": str(item["date"])} if item.get("date") else {}
        if "html" in item:
            page = extract(item["html"])
            regions = page.regions
            extra.update((k, v) for k, v in (("published", page.published), ("updated", page.updated)) if v)
        else:
            text, tags = clean(item["text"], merge_tags=True)
            regions = [Region(item.get("region", "body"), text, tags, item.get("data"))]
        docs.append(Document(tp, "website", item.get("url", f"https://acme.example/{tp}/{i}"), "",
                             regions, extra=extra))
    return docs


@pytest.mark.parametrize(("path", "case"), _cases())
def test_rule_case(path: Path, case: dict[str, Any], tmp_path: Path) -> None:
    data = loads(path.read_text())
    rules_file = tmp_path / "rules.yaml"
    buf = io.StringIO()
    buf.write(yaml.safe_dump({"rules": data["rules"]}, sort_keys=False, allow_unicode=True))
    rules_file.write_text(buf.getvalue())
    docs = _documents(case["documents"])
    auditor = Auditor(load_rules([rules_file]), chrome=learn(docs))
    findings = list(auditor.audit(docs)) + auditor.finish()
    got = [(f.rule, loc.text, f, loc) for f in findings for loc in f.locations]
    expected = case["findings"]
    assert [(r, t) for r, t, _, _ in got] == [(e["rule"], e["text"]) for e in expected], \
        "\n".join(f"{f.rule}: {loc.text!r} {f.message}" for _, _, f, loc in got)
    for (_, _, finding, loc), want in zip(got, expected, strict=True):
        for key in ("severity", "message", "expected"):
            if key in want:
                assert getattr(finding, key) == want[key]
        if "touchpoint" in want:
            assert loc.touchpoint == want["touchpoint"]
        if "chrome" in want:
            assert loc.chrome == want["chrome"]
        if "pages" in want:
            assert len(finding.extra.get("pages", [loc.url])) == want["pages"]
        # offsets point into the stored region text, so the report can highlight without searching
        region = next(d for d in docs if d.url == loc.url).region(loc.region)
        assert region.text[loc.start:loc.end] == loc.text
        assert region.text[loc.snippet_start:].startswith(loc.snippet)

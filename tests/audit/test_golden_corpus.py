"""A large rule set on the benchmark corpus: exactly the golden findings, whatever is optimised.

The first 200 pages of benchmarks/audit_speed.py's corpus (with fact statements and misspelt
names) audited with 2000 term rules (near-miss detection on), 50 language rules and 20 fact
rules. tests/fixtures/golden/bench-200-findings.json was written by db72436, before the lazy
lemma norms and the indexed near-miss search; every place (rule, severity, page, region,
offsets, text, near-miss score) must stay the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from audit.auditor import Auditor
from audit.rules import load_rules
from audit.store import Store

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "bench-200-findings.json"
sys.path.insert(0, str(ROOT / "benchmarks"))

from audit_speed import brand_names, fact_rules, make_rules, make_store  # noqa: E402


def test_the_benchmark_corpus_gives_exactly_the_golden_findings(tmp_path: Path):
    names = brand_names(2000)
    make_rules(names, 50, tmp_path / "rules", fuzzy=True)
    fact_rules(tmp_path / "rules")
    make_store(tmp_path / "s.db", 200, 1000, names[:50], facts=True, typos=0.05)
    auditor = Auditor(load_rules([tmp_path / "rules"]))
    with Store(tmp_path / "s.db") as store:
        findings = list(auditor.audit(store.iter_documents(store.crawl()["id"]))) + auditor.finish()
    got = sorted([f.rule, f.severity, loc.url.rsplit("/", 1)[-1], loc.region, loc.start, loc.end, loc.text,
                  f.extra.get("score")] for f in findings for loc in f.locations)
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(got) == len(want) == 3396
    assert [p for p in got if p not in want] == [] and got == want

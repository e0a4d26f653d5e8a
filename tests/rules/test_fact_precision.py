"""Precision and recall of fact extraction on a small labelled set (tests/fixtures/facts/).

False alarms kill trust faster than misses: the gate is precision 1.0 and recall >= 0.9, and
the conflicts found are exactly the labelled ones. The figures are printed (-s) for the record.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from audit.auditor import Auditor
from audit.documents import Document, Region
from audit.rules import load_rules
from audit.text import clean
from audit.yamlfile import loads

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "facts" / "labelled.yaml"


def test_fact_extraction_precision_and_recall_on_the_labelled_set(tmp_path, capsys):
    data = loads(LABELLED.read_text())
    rules = tmp_path / "facts.yaml"
    rules.write_text(yaml.safe_dump({"rules": data["rules"]}, allow_unicode=True), encoding="utf-8")
    auditor = Auditor(load_rules([rules]))
    docs, labelled = [], set()
    for item in data["documents"]:
        text, tags = clean(item["text"], merge_tags=False)
        docs.append(Document(item["touchpoint"], "website", item["url"], "",
                             [Region(item.get("region", "body"), text, tags, item.get("data"))]))
        for f in item["facts"]:
            labelled.add((item["url"], item.get("region", "body"), f["fact"], f.get("qualifier", ""),
                          f["value"]))
    findings = list(auditor.audit(docs)) + auditor.finish()
    observed = {(o.location.url, o.location.region, o.fact, o.qualifier, o.display)
                for o in auditor.facts.observations}
    right = observed & labelled
    precision = len(right) / len(observed) if observed else 0.0
    recall = len(right) / len(labelled)
    conflicts = sorted((f.rule, sorted(g["display"] for g in f.extra["groups"]))
                       for f in findings if f.kind == "fact")
    want = sorted((c["fact"], sorted(c["values"])) for c in data["conflicts"])
    with capsys.disabled():
        print(f"\nfact extraction on {len(docs)} labelled documents: precision {precision:.2f} "
              f"({len(right)}/{len(observed)}), recall {recall:.2f} ({len(right)}/{len(labelled)}); "
              f"conflicts {len(conflicts)} found, {len(want)} labelled")
    assert observed - labelled == set(), "false alarms"
    assert recall >= 0.9, f"missed: {sorted(labelled - observed)}"
    assert conflicts == want

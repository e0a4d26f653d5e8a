"""Fact extraction measured on hand-written pages read as the crawler reads them: two invented
companies (tests/fixtures/facts/structured/ and heldout/, README in each), website pages, help
articles and emails with every statement of every fact labelled, the tempting values that are
not statements, history, and the planted conflicts. ``heldout`` was written apart from the
tool's reading rules, from the issue's list of cases only; measured first before any change
made for it (precision 0.791, recall 0.701), every change since is general and tested on its own
(tests/rules/fact/reading.yml).

Each page is extracted (structure, dates), the crawl's repeated blocks are counted, and the pages
are audited with the fixture's rules plus what a team would add for this company (its
competitors' names, how old a statement may be). Precision and recall are printed per value type
and held at 0.97 / 0.95 overall, no type below 0.9.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.auditor import Auditor
from audit.chrome import learn
from audit.documents import Document
from audit.facts import value_type
from audit.rules import load_rules
from audit.yamlfile import loads
from crawler.extract import extract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facts"
KINDS = {"website": "website", "helpcenter": "helpcenter", "email": "email"}
# What a team adds to the fixture's rules for its company.
TEAM = {
    "structured": {"competitors": ["Metricly", "Countwise"], "max_age": "2 years", "context_scope": "block"},
    "heldout": {"competitors": ["Formwell", "Quillpoll"], "max_age": "2 years", "context_scope": "block"},
}
TODAY = date(2026, 12, 7)  # ages are counted to the day the labels were written
PRECISION_AT_LEAST, RECALL_AT_LEAST = 0.97, 0.95  # structured 1.000 / 0.995, heldout 0.981 / 0.967
EACH_TYPE_AT_LEAST = 0.9


def _same(vtype: Any, label: str, observed: Any, options: dict[str, Any]) -> bool:
    parsed = vtype.parse(label, **options)
    if parsed is None:
        return False
    if vtype.same(parsed.value, observed, **options):
        return True
    # A cell labelled with what its header says ("5 seats") read as the bare number.
    if isinstance(parsed.value, dict) and isinstance(observed, dict) and "number" in parsed.value:
        return parsed.value["number"] == observed.get("number")
    return False


def audit_fixture(tmp_path: Path, name: str = "structured") -> tuple[dict, list[Document], Auditor]:
    here = FIXTURES / name
    data = loads((here / "labels.yaml").read_text(encoding="utf-8"))
    rules = [{**r, **TEAM[name]} for r in data["rules"]]
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True), encoding="utf-8")
    docs = []
    for page in data["pages"]:
        html = (here / page["file"]).read_text(encoding="utf-8")
        ex = extract(html, merge_tags=page["touchpoint"] == "email", url=page["url"])
        extra = {k: v for k, v in (("published", ex.published), ("updated", ex.updated)) if v}
        docs.append(Document(page["touchpoint"], KINDS[page["touchpoint"]], page["url"], ex.title,
                             ex.regions, extra=extra))
    auditor = Auditor(load_rules([path]), chrome=learn(docs))
    auditor.facts.today = TODAY
    list(auditor.audit(docs))
    return data, docs, auditor


@pytest.mark.parametrize("name", ["structured", "heldout"])
def test_fact_statements_on_real_shaped_pages(name: str, tmp_path: Path) -> None:
    data, docs, auditor = audit_fixture(tmp_path, name)
    findings = auditor.finish()
    rules = {r["id"]: r for r in data["rules"]}
    url_of = {p["file"]: p["url"] for p in data["pages"]}
    observed: dict[tuple[str, str], list[Any]] = defaultdict(list)  # (url, fact) -> observations
    for o in auditor.facts.observations:
        observed[(o.location.url, o.fact)].append(o)

    def matches(o: Any, fact: str, label: dict) -> bool:
        rule = rules[fact]
        plan = o.qualifier.split("/")[0]
        if label.get("qualifier") and label["qualifier"] != plan:
            return False
        return _same(value_type(rule["type"]), str(label["value"]), o.value, rule.get("options") or {})

    tp, fn = Counter(), Counter()
    misses, wrong = [], []
    used: set[int] = set()
    for page in data["pages"]:
        for label in page.get("facts") or []:
            kind = rules[label["fact"]]["type"]
            hit = [o for o in observed[(page["url"], label["fact"])]
                   if not o.history and matches(o, label["fact"], label)]
            if hit:
                tp[kind] += 1
                used.update(id(o) for o in hit)
            else:
                fn[kind] += 1
                misses.append(f"missed {page['file']}: {label['fact']} {label.get('qualifier', '')} "
                              f"{label['value']}")
    history = [(url_of[h["file"]], h) for h in data.get("history") or []]
    fp = Counter()
    for o in auditor.facts.observations:
        if o.history or id(o) in used:
            continue
        if any(u == o.location.url and h["fact"] == o.fact and matches(o, o.fact, h) for u, h in history):
            wrong.append(f"history read as today's: {o.location.url} {o.fact} {o.display}")
        else:
            wrong.append(f"not a statement: {o.location.url} {o.fact} {o.qualifier} {o.display} "
                         f"in {o.location.snippet!r} ({o.why})")
        fp[rules[o.fact]["type"]] += 1
    for kind in sorted(set(tp) | set(fn) | set(fp)):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        print(f"{name} facts {kind:>9}: precision {p:.3f}, recall {r:.3f} ({tp[kind]} right, "
              f"{fp[kind]} wrong, {fn[kind]} missed)")
    precision = sum(tp.values()) / (sum(tp.values()) + sum(fp.values()))
    recall = sum(tp.values()) / (sum(tp.values()) + sum(fn.values()))
    found = sorted((f.rule, f.extra.get("qualifier", "").split("/")[0]) for f in findings if f.kind == "fact")
    want = sorted((c["fact"], c.get("qualifier", "")) for c in data["conflicts"])
    print(f"{name} facts overall on {len(docs)} pages: precision {precision:.3f}, recall {recall:.3f}; "
          f"conflicts found {len(found)}, planted {len(want)}, both {len(set(found) & set(want))}")
    weak = [k for k in set(tp) | set(fn) | set(fp)
            if min(tp[k] / (tp[k] + fp[k] or 1), tp[k] / (tp[k] + fn[k] or 1)) < EACH_TYPE_AT_LEAST]
    assert precision >= PRECISION_AT_LEAST and recall >= RECALL_AT_LEAST and not weak, \
        "\n".join(misses + wrong)
    assert sorted(set(found)) == sorted(set(want)), f"conflicts found {found}, planted {want}"


@pytest.mark.parametrize("name", ["structured", "heldout"])
def test_values_read_near_their_contexts_are_those_read_over_the_whole_region(name: str, tmp_path: Path,
                                                                             monkeypatch) -> None:
    """A sentence-scope rule reads a long region's values only around its contexts and table
    cells (audit/rules/fact.py _values_near); forced on every region here, it must observe
    exactly what reading each whole region does."""
    import audit.rules.fact as fact

    def observed(whole: int) -> list[tuple[Any, ...]]:
        monkeypatch.setattr(fact, "_WHOLE", whole)
        (tmp_path / str(whole)).mkdir()
        _, _, auditor = audit_fixture(tmp_path / str(whole), name)
        return sorted((o.fact, o.qualifier, repr(o.value), o.location.url, o.location.start, o.location.end,
                       o.why, o.history) for o in auditor.facts.observations)

    everywhere, nowhere = observed(0), observed(10**9)
    assert len(nowhere) > 200 and everywhere == nowhere


TABLE_PAGE = """<html><body><main>
<h1>Plans</h1><p>{filler}</p>
<table><thead><tr><th>Plan</th><th>Free trial</th><th>Support replies within</th><th>Notes</th></tr></thead>
<tbody><tr><th>Basic</th><td>14 days</td><td>48 hours</td><td>Cancel any time.</td></tr>
<tr><th>Pro</th><td>30 days</td><td>24 hours</td><td>Priority help.</td></tr></tbody></table>
<p>{filler}</p><p>Every plan starts with a free trial of 14 days.</p><p>{filler}</p>
</main></body></html>"""


def test_cells_under_a_context_header_are_read_near_as_over_the_whole_region(tmp_path: Path,
                                                                            monkeypatch) -> None:
    """Column headers state the fact of the cells below them, past the end of the header's own
    sentence (a note cell ends it): _values_near must read those cells too."""
    import audit.rules.fact as fact

    (tmp_path / "r.yaml").write_text(
        "rules:\n"
        "  - {id: trial, kind: fact, type: duration, context: [free trial], qualifiers: [Basic, Pro]}\n"
        "  - {id: reply, kind: fact, type: duration, context: [replies within], qualifiers: [Basic, Pro]}\n")
    filler = "Teams keep their files in step across every device they use, at home and at work. " * 12
    page = extract(TABLE_PAGE.format(filler=filler), url="https://acme.example/plans")
    doc = Document("website", "website", "https://acme.example/plans", page.title, page.regions)

    def observed(whole: int) -> list[tuple[Any, ...]]:
        monkeypatch.setattr(fact, "_WHOLE", whole)
        auditor = Auditor(load_rules([tmp_path / "r.yaml"]), chrome=learn([doc]))
        list(auditor.audit([doc]))
        return sorted((o.fact, o.qualifier, repr(o.value), o.location.start, o.why)
                      for o in auditor.facts.observations)

    nowhere = observed(10**9)
    assert sum("table header" in o[4] for o in nowhere) >= 3  # cells read by their column header
    assert observed(0) == nowhere

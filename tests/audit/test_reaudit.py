"""Re-auditing after a rule edit: the documents no edited rule can touch keep their results, and
the outputs are byte for byte those of auditing everything anew.

Each case edits the rule file of one project the way a person editing rules does (tests/audit/
reaudit-edits.yaml: the file's text before and after, and how far the edit may reach), then audits
once reusing the kept results and once from scratch, on two copies of the same store.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit import reaudit
from audit.config import load_config
from audit.documents import Document, Region
from audit.jobs import AuditResult, run_audit
from audit.outputs import write_outputs
from audit.store import Store

HERE = Path(__file__).parent
EDITS = yaml.safe_load((HERE / "reaudit-edits.yaml").read_text(encoding="utf-8"))
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")

SENTENCES = [
    "Log in to Cloud Sync to see your files.", "Your free trial lasts {n} days.",
    "Send an email to support and we reply within a day.", "ClowdSync keeps folders in step.",
    "CloudSync works offline, and Cloud Sync Pro adds teams.", "Our e-mail newsletter comes monthly.",
    "Sign in with your team.", "Pulse Board shows who changed what.",
    "Call our support line at (415) 555-01{p}.",
    "PulseBoard and Pulse-Board are the same dashboard.", "Plans start at ${m} per month.",
    "Logging in takes a second.", "Read the guide at https://docs.acme.example/cloudsync/start.",
    "Teams love the dashbord.", "Some write Cloudzinc.",
    "Nothing to see here, only ordinary words about the weather.",
]
FOOTER = "Questions? Send us an e-mail. Cloud Sync is a product of Acme."
FAQ = "How long is the trial?\nIt lasts {n} days on every plan."


def _project(root: Path) -> None:
    rng = random.Random(11)
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "r.yaml").write_text(EDITS["rules"], encoding="utf-8")
    (root / "touchaudit.yaml").write_text(
        "touchpoints:\n  - {name: site, kind: website, start_urls: ['https://acme.example/']}\n"
        "  - {name: help, kind: website, start_urls: ['https://help.acme.example/']}\nrules: [rules]\n")
    with Store(root / "touchaudit.db") as store:
        crawl = store.start_crawl("touchaudit.yaml", "x")
        docs = []
        for n in range(72):
            tp = "site" if n % 3 else "help"
            sentences = rng.sample(SENTENCES, 4) if n % 4 else [SENTENCES[-1]]  # some pages touch nothing
            body = " ".join(s.format(n=rng.choice([14, 14, 30]), p=rng.choice([34, 34, 43]),
                                     m=rng.choice([9, 9, 12])) for s in sentences)
            regions = [Region("title", f"Page {n}"), Region("body", body)]
            if n % 5 == 0:  # a FAQ: the question names the fact, the answer states it
                regions.append(Region("heading", "Frequently asked"))
                regions[1] = Region("body", body + "\n" + FAQ.format(n=rng.choice([14, 30])))
            if n % 7 == 0:
                phone = rng.choice(["+1 415 555 0134", "+1 415 555 0143"])
                data = {"@type": "Organization", "telephone": phone}
                regions.append(Region("jsonld", json.dumps(data), data=data))
            regions.append(Region("footer", FOOTER))
            docs.append(Document(tp, "website", f"https://{tp}.acme.example/p{n}", f"Page {n}", regions))
        store.add_documents(crawl, docs)
        store.finish_crawl(crawl, "complete")


@pytest.fixture(scope="module")
def primed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project audited once with the rules before any edit: its store keeps the results."""
    root = tmp_path_factory.mktemp("reaudit") / "base"
    _project(root)
    run_audit(load_config(root / "touchaudit.yaml"))
    return root


def _audit(folder: Path, reuse: bool) -> tuple[dict[str, str], AuditResult]:
    config = load_config(folder / "touchaudit.yaml")
    result = run_audit(config, reuse=reuse)
    written = write_outputs(config.store, folder / "out", ["json", "sarif", "csv"], run_id=result.run_id)
    return {fmt: _STAMP.sub("<time>", p.read_text(encoding="utf-8")) for fmt, p in written.items()}, result


def _edited(primed: Path, to: Path, case: dict[str, Any]) -> Path:
    shutil.copytree(primed, to)
    path = to / "rules" / "r.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in case["replace"]:
        assert old in text, f"{case['name']}: {old!r} is not in the rule file"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return to


@pytest.mark.parametrize("case", EDITS["edits"], ids=[c["name"] for c in EDITS["edits"]])
def test_a_reaudit_after_an_edit_gives_what_auditing_everything_gives(primed: Path, tmp_path: Path,
                                                                      case: dict[str, Any]):
    again, result = _audit(_edited(primed, tmp_path / "again", case), reuse=True)
    fresh, full = _audit(_edited(primed, tmp_path / "fresh", case), reuse=False)
    assert again["json"] == fresh["json"]
    assert again["sarif"] == fresh["sarif"]
    assert again["csv"] == fresh["csv"]
    assert json.loads(fresh["json"])["findings"], "the project must give findings to compare"
    stats = result.reaudit
    assert stats is not None and stats.kept + stats.audited == full.documents == 72
    low, high = case["audited"]
    assert low <= stats.audited <= high, f"{case['name']}: audited {stats.audited} documents ({stats.reason})"


def _tamper(folder: Path) -> str:
    """Make a kept document's results say what no audit says, seen only when they are reused: its
    first finding's message, the written text of a statement of the trial length and of one of
    another fact (when it has them). Returns the rule of the finding."""
    db = sqlite3.connect(folder / "touchaudit.db")
    rows = db.execute("SELECT doc_id, results FROM audit_cache WHERE results LIKE '%\"f\":[{%' "
                      "AND results LIKE '%[\"trial\",%' ORDER BY doc_id").fetchall()
    doc_id, results = rows[0]
    data = json.loads(results)
    data["f"][0]["message"] = "KEPT RESULT"
    for o in data["o"]:
        o[2] = "KEPT STATEMENT" if o[0] == "trial" else "KEPT OTHER STATEMENT"
    db.execute("UPDATE audit_cache SET results=? WHERE doc_id=?", (json.dumps(data), doc_id))
    db.commit()
    db.close()
    return data["f"][0]["rule"]


def _statements(folder: Path) -> set[str]:
    with Store(folder / "touchaudit.db") as store:
        run = store.db.execute("SELECT max(id) FROM runs").fetchone()[0]
        return {text for (text,) in store.db.execute("SELECT text FROM observations WHERE run_id=?", (run,))}


def _messages(folder: Path) -> set[str]:
    outputs, _ = _audit(folder, reuse=True)
    return {f["message"] for f in json.loads(outputs["json"])["findings"]}


def test_kept_results_are_used_until_a_version_or_the_code_changes(primed: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "p"
    shutil.copytree(primed, folder)
    _tamper(folder)
    assert "KEPT RESULT" in _messages(folder)  # nothing changed: the kept results are read
    assert "KEPT RESULT" in _messages(folder)  # and kept again by the audit that reused them

    versions = reaudit.library_versions()
    for name in ("spacy", "touchaudit"):
        monkeypatch.setattr(reaudit, "library_versions", lambda n=name: {**versions, n: "99.0"})
        assert "KEPT RESULT" not in _messages(folder), f"a new {name} version must audit everything anew"
        monkeypatch.undo()
        _audit(folder, reuse=True)  # kept again under the real versions
        _tamper(folder)
        assert "KEPT RESULT" in _messages(folder)
        _tamper(folder)

    monkeypatch.setattr(reaudit, "code_digest", lambda: "another commit")
    assert "KEPT RESULT" not in _messages(folder), "changed code must audit everything anew"


def test_an_edited_rule_audits_again_the_part_of_the_documents_it_touches(primed: Path, tmp_path: Path):
    folder = tmp_path / "p"
    shutil.copytree(primed, folder)
    rule = _tamper(folder)
    assert "KEPT RESULT" in _messages(folder) and "KEPT STATEMENT" in _statements(folder)
    assert "KEPT OTHER STATEMENT" in _statements(folder)
    rules = folder / "rules" / "r.yaml"
    # A fact rule reading every page: every document's statements of its value type are read
    # again, and their text findings and other statements kept (fact rules compete only with
    # rules of their value type).
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("context_scope: sentence", "context_scope: block"), encoding="utf-8")
    assert "KEPT RESULT" in _messages(folder)
    assert "KEPT STATEMENT" not in _statements(folder)
    assert "KEPT OTHER STATEMENT" in _statements(folder)  # other value types: kept too
    # The rule of the tampered finding edited: that document's text findings are made again.
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace(f"- id: {rule}\n", f"- id: {rule}\n    severity: info\n", 1),
                     encoding="utf-8")
    assert "KEPT RESULT" not in _messages(folder)


def test_an_audit_that_stops_half_way_leaves_the_kept_results_as_they_were(primed: Path, tmp_path: Path):
    folder = tmp_path / "p"
    shutil.copytree(primed, folder)
    _tamper(folder)
    config = load_config(folder / "touchaudit.yaml")
    from audit.auditor import Auditor
    from audit.jobs import rules_for

    ruleset = rules_for(config)
    with Store(config.store) as store:
        crawl = store.crawl()
        key = reaudit.cache_key(crawl, store.document_span(crawl["id"]), None, config.phone_region)
        auditor = Auditor(ruleset)
        found = reaudit.audit_crawl(auditor, ruleset, store, crawl["id"], "another key")
        for _ in range(3):  # a few findings, then the audit is dropped
            next(found)
        found.close()
        row = store.db.execute("SELECT key FROM audit_cache_meta").fetchone()
        assert row[0] == key
    assert "KEPT RESULT" in _messages(folder)


def test_kept_results_that_miss_a_document_are_not_used(primed: Path, tmp_path: Path):
    folder = tmp_path / "p"
    shutil.copytree(primed, folder)
    _tamper(folder)
    db = sqlite3.connect(folder / "touchaudit.db")
    db.execute("DELETE FROM audit_cache WHERE doc_id=(SELECT max(doc_id) FROM audit_cache)")
    db.commit()
    db.close()
    outputs, result = _audit(folder, reuse=True)
    assert result.reaudit is not None and result.reaudit.kept == 0, result.reaudit
    assert "KEPT RESULT" not in {f["message"] for f in json.loads(outputs["json"])["findings"]}
    _tamper(folder)
    assert "KEPT RESULT" in _messages(folder)  # the audit kept whole results again


def test_two_audits_of_one_store_at_once_never_leave_results_of_mixed_rules(
        primed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A scheduled audit and a watching one may overlap: the one that finishes second finds the
    rows it wrote gone and keeps nothing, so the next audit audits everything."""
    monkeypatch.setattr(reaudit, "WRITE_EVERY", 10)  # rows reach the store while it runs
    folder = _edited(primed, tmp_path / "p", EDITS["edits"][2])  # a variant added
    config = load_config(folder / "touchaudit.yaml")
    from audit.auditor import Auditor
    from audit.jobs import rules_for

    ruleset = rules_for(config)
    with Store(config.store) as store:
        crawl = store.crawl()
        first = reaudit.audit_crawl(Auditor(ruleset), ruleset, store, crawl["id"], "the first audit's key")
        while not store.db.execute("SELECT count(*) FROM audit_cache WHERE fresh<>0").fetchone()[0]:
            next(first)  # until it has written some of its rows
        run_audit(config)  # a second audit runs whole meanwhile and keeps its results
        for _ in first:  # the first one ends after it
            pass
        assert store.db.execute("SELECT count(*) FROM audit_cache_meta").fetchone()[0] == 0
    _, result = _audit(folder, reuse=True)
    assert result.reaudit is not None and result.reaudit.kept == 0  # everything audited anew
    again, stats = _audit(folder, reuse=True)
    fresh, _ = _audit(folder, reuse=False)
    assert stats.reaudit is not None and stats.reaudit.kept == 72
    assert json.loads(again["json"])["findings"] == json.loads(fresh["json"])["findings"]


def test_a_reaudit_that_another_audit_overtook_keeps_nothing(primed: Path, tmp_path: Path):
    """The kept rows a re-audit planned against were replaced while it ran: its own rows would
    sit beside results of other rules, so it keeps nothing."""
    folder = _edited(primed, tmp_path / "p", EDITS["edits"][2])  # a variant added
    config = load_config(folder / "touchaudit.yaml")
    from audit.auditor import Auditor
    from audit.jobs import rules_for

    ruleset = rules_for(config)
    with Store(config.store) as store:
        crawl = store.crawl()
        key = reaudit.cache_key(crawl, store.document_span(crawl["id"]), None, config.phone_region)
        report = reaudit.Reaudit()
        first = reaudit.audit_crawl(Auditor(ruleset), ruleset, store, crawl["id"], key, report)
        next(first)  # planned against the kept results
        run_audit(config)  # another audit keeps its results meanwhile
        for _ in first:
            pass
        assert 0 < report.audited < 72 and report.kept  # it was a re-audit of a few documents
        assert store.db.execute("SELECT count(*) FROM audit_cache_meta").fetchone()[0] == 0
    _, result = _audit(folder, reuse=True)
    assert result.reaudit is not None and result.reaudit.kept == 0


def test_a_window_that_was_a_known_name_touches_its_document_whatever_the_threshold():
    from audit.footprint import near_windows

    windows = {1: ["cloudsyncs", "weather"], 2: ["cloudsinc"], 3: ["weather"]}
    # "cloudsyncs" scores 94.7 against "cloudsync": below a threshold of 99, but while
    # "cloudsync" was a known form it was never scored, and once it is not, it is.
    assert near_windows(windows, ["cloudsync"], 99) == {1}
    assert near_windows(windows, ["cloudsync"], 85) == {1, 2}
    assert near_windows(windows, ["pulseboard"], 85) == set()

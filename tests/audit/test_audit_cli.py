"""`touchaudit audit` end to end on a stored crawl: findings, history status, ignore list, watch."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.documents import Document, Region
from audit.store import RunStore, Store

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """\
touchpoints:
  - {name: website, kind: website, start_urls: "http://127.0.0.1:9/"}
  - {name: emails, kind: email, paths: ["emails/*.html"]}
rules: [rules]
fail_on: error
"""

BRAND = """\
rules:
  - id: product-name
    kind: term
    preferred: CloudSync
    variants: [Cloud Sync]
    severity: {severity}
"""


def _project(tmp_path: Path, severity: str = "error") -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "brand.yaml").write_text(BRAND.format(severity=severity))
    (tmp_path / "touchaudit.yaml").write_text(CONFIG)
    with Store(tmp_path / "touchaudit.db") as store:
        crawl = store.start_crawl(str(tmp_path / "touchaudit.yaml"), CONFIG)
        store.add_documents(crawl, [
            Document("website", "website", "https://acme.example/", "Home",
                     [Region("body", "Welcome to Cloud Sync. CloudSync is fast.")]),
            Document("emails", "email", "emails/welcome.html", "Welcome",
                     [Region("body", "Thanks for choosing Cloud Sync!")]),
            Document("website", "website", "https://acme.example/press/2019", "Press",
                     [Region("body", "Cloud Sync Inc. announced…")]),
        ])
        store.finish_crawl(crawl, "complete")
    return tmp_path / "touchaudit.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _findings(config: Path, run_id: int | None = None):
    with Store(config.parent / "touchaudit.db") as store:
        runs = RunStore(store)
        return runs.findings(runs.run(run_id)["id"])


def test_audit_stores_findings_with_place_and_exits_1_on_errors(tmp_path):
    config = _project(tmp_path)
    result = _cli("audit", "--config", str(config))
    assert result.returncode == 1, result.stderr
    assert "3 documents" in result.stdout
    found = _findings(config)
    assert sorted((f.locations[0].touchpoint, f.locations[0].url, f.locations[0].text) for f in found) == [
        ("emails", "emails/welcome.html", "Cloud Sync"),
        ("website", "https://acme.example/", "Cloud Sync"),
        ("website", "https://acme.example/press/2019", "Cloud Sync"),
    ]
    first = next(f for f in found if f.locations[0].url == "https://acme.example/")
    loc = first.locations[0]
    assert (first.kind, first.rule, first.severity, first.expected) == ("term", "product-name", "error",
                                                                        "CloudSync")
    assert (loc.region, loc.start, loc.end, loc.snippet) == ("body", 11, 21, "Welcome to Cloud Sync.")
    assert {f.status for f in found} == {"new"}


def test_reaudit_after_a_rule_edit_reads_the_store_only_and_marks_history(tmp_path):
    config = _project(tmp_path, severity="warning")
    assert _cli("audit", "--config", str(config)).returncode == 0  # warnings only: exit 0
    assert _cli("audit", "--config", str(config), "--fail-on", "warning").returncode == 1
    (tmp_path / "rules" / "brand.yaml").write_text(BRAND.format(severity="warning") +
        "  - id: fast\n    kind: language\n    prefer: quick\n    avoid: [fast]\n")
    result = _cli("audit", "--config", str(config), "--fail-on", "never")
    assert result.returncode == 0
    found = _findings(config)
    assert sorted((f.rule, f.status) for f in found) == [
        ("fast", "new"), ("product-name", "open"), ("product-name", "open"), ("product-name", "open")]
    with Store(tmp_path / "touchaudit.db") as store:
        assert len(store.crawls()) == 1  # no re-crawl
    history = _cli("history", "--config", str(config))
    assert history.returncode == 0
    assert len(history.stdout.strip().splitlines()) == 1 + 3


def test_ignore_list_marks_judged_findings_ignored_not_hidden(tmp_path):
    config = _project(tmp_path)
    (tmp_path / "rules" / "ignore.yaml").write_text(
        "ignore:\n  - rule: product-name\n    url: 'https://acme.example/press/*'\n"
        "    text: cloud sync\n    reason: quoted company name in a press release\n")
    assert _cli("audit", "--config", str(config)).returncode == 1
    status = {f.locations[0].url: f.status for f in _findings(config)}
    assert status["https://acme.example/press/2019"] == "ignored"
    assert status["https://acme.example/"] == "new"
    (tmp_path / "rules" / "ignore.yaml").write_text("ignore:\n  - rule: product-name\n")
    result = _cli("audit", "--config", str(config))
    assert result.returncode == 2
    assert "ignore.yaml:2:5: entry 1 is missing the required key 'reason'" in result.stderr


def test_a_broken_rule_file_stops_the_audit_with_exit_2_and_all_problems(tmp_path):
    config = _project(tmp_path)
    (tmp_path / "rules" / "brand.yaml").write_text(
        "rules:\n  - id: a\n    kind: term\n    prefered: X\n  - id: b\n    kind: language\n")
    result = _cli("audit", "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "rules/brand.yaml:2:5: rule 'a' is missing the required key 'preferred' (the one correct form, "
        "e.g. CloudSync)",
        "rules/brand.yaml:4:5: unknown key 'prefered' in rule 'a' (did you mean 'preferred'?)",
        "rules/brand.yaml:5:5: rule 'b' is missing the required key 'avoid' (phrasings to report, "
        "e.g. log in, login)",
    ]


def test_watch_reaudits_and_rewrites_the_report_when_a_rule_file_is_saved(tmp_path):
    config = _project(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "audit.cli", "audit", "--watch", "--config", str(config),
                             "-o", str(out), "--format", "html,json"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        report = out / "findings.json"
        _wait(lambda: report.exists())
        assert (out / "report.html").exists()
        first = json.loads(report.read_text())
        assert {f["rule"] for f in first["findings"]} == {"product-name"}
        time.sleep(0.05)
        (tmp_path / "rules" / "brand.yaml").write_text(BRAND.format(severity="error") +
            "  - id: fast\n    kind: language\n    prefer: quick\n    avoid: [fast]\n")
        _wait(lambda: "fast" in {f["rule"] for f in json.loads(report.read_text())["findings"]})
        (tmp_path / "rules" / "brand.yaml").write_text("rules: [\n")  # broken: keeps watching
        _wait(lambda: proc.poll() is None and _runs(tmp_path) == 2, settle=1.0)
        (tmp_path / "rules" / "brand.yaml").write_text(BRAND.format(severity="info"))
        _wait(lambda: _runs(tmp_path) == 3)
    finally:
        proc.terminate()
        out_text, err = proc.communicate(timeout=30)
    assert "YAML syntax error" in err
    said = [line for line in out_text.splitlines() if line.startswith("run ")]
    # the third run may still be writing its report when the test stops the watch
    assert len(said) >= 2 and all("re-audited and reported in " in line for line in said), out_text


def _runs(tmp_path: Path) -> int:
    with Store(tmp_path / "touchaudit.db") as store:
        return len([r for r in RunStore(store).runs() if r["finished_at"]])


def _wait(condition, limit: float = 60, settle: float = 0) -> None:
    """Poll until ``condition`` holds (a bound on waiting, not a timing assertion)."""
    time.sleep(settle)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    pytest.fail("condition not reached")


def test_report_lists_findings_fixed_since_the_previous_run_apart_from_pages_not_recrawled(tmp_path):
    config = _project(tmp_path)
    assert _cli("audit", "--config", str(config)).returncode == 1
    with Store(tmp_path / "touchaudit.db") as store:  # the email was corrected; no press page
        crawl = store.start_crawl(str(config), CONFIG)
        store.add_documents(crawl, [
            Document("website", "website", "https://acme.example/", "Home",
                     [Region("body", "Welcome to Cloud Sync. CloudSync is fast.")]),
            Document("emails", "email", "emails/welcome.html", "Welcome",
                     [Region("body", "Thanks for choosing CloudSync!")]),
        ])
        store.finish_crawl(crawl, "complete")
    assert _cli("audit", "--config", str(config)).returncode == 1
    out = tmp_path / "out"
    result = _cli("report", "--config", str(config), "-o", str(out), "--format", "json,csv")
    assert result.returncode == 1, result.stderr
    data = json.loads((out / "findings.json").read_text())
    assert [(f["status"], f["locations"][0]["url"]) for f in data["findings"]] == [
        ("open", "https://acme.example/")]
    assert [f["locations"][0]["url"] for f in data["fixed"]] == ["emails/welcome.html"]
    # The press page is not in this crawl: its finding is gone, but nothing says it was fixed.
    assert [(f["status"], f["locations"][0]["url"]) for f in data["not_rechecked"]] == [
        ("new", "https://acme.example/press/2019")]
    history = _cli("history", "--config", str(config)).stdout.splitlines()
    assert history[0].split()[-2:] == ["fixed", "unchecked"]
    assert history[2].split()[-5:] == ["0", "1", "0", "1", "1"]  # new open ignored fixed unchecked
    assert (out / "findings.csv").exists() and not (out / "report.html").exists()


def test_an_older_store_is_upgraded_by_migrate_and_keeps_its_history(tmp_path):
    import shutil
    import sqlite3

    project = tmp_path / "v1"
    shutil.copytree(ROOT / "tests" / "fixtures" / "stores" / "v1", project)
    db = sqlite3.connect(project / "touchaudit.db")
    db.executescript((project / "touchaudit-v1.sql").read_text(encoding="utf-8"))
    db.close()
    config = str(project / "touchaudit.yaml")

    refused = _cli("history", "--config", config)
    assert refused.returncode == 2
    assert "schema version 1" in refused.stderr and "touchaudit migrate" in refused.stderr

    migrated = _cli("migrate", "--config", config)
    assert migrated.returncode == 0, migrated.stderr
    assert "upgraded from schema version 1 to" in migrated.stdout
    assert "already at schema version" in _cli("migrate", "--config", config).stdout

    # The two version-1 runs are still there, and a new run compares itself with them.
    assert _cli("run", "--config", config, "-o", str(tmp_path / "out")).returncode == 1
    history = _cli("history", "--config", config).stdout.splitlines()
    assert [line.split()[:2] for line in history[1:]] == [["1", "1"], ["2", "2"], ["3", "3"]]
    data = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert [f["status"] for f in data["findings"]] == ["open", "open"]


def test_run_crawls_audits_and_reports_into_one_folder_with_progress(tmp_path, monkeypatch):
    import csv

    from tests.crawl_helpers import SCHEDULED_SITE, scheduled_project
    from tests.server import FixtureServer

    out = tmp_path / "weekly"
    with FixtureServer(SCHEDULED_SITE) as srv:
        config = scheduled_project(tmp_path / "project", srv.base)
        monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.crawler.progress_settings")
        result = _cli("run", "--config", str(config), "-o", str(out), "--csv")

    assert result.returncode == 1, result.stderr  # errors planted: exit 1 for a scheduled job
    assert sorted(p.name for p in out.iterdir()) == [
        "findings.csv", "findings.json", "findings.sarif", "report.html"]
    for fmt, name in (("html", "report.html"), ("json", "findings.json"), ("sarif", "findings.sarif"),
                      ("csv", "findings.csv")):
        assert f"{fmt}: {out / name}" in result.stdout
    assert "done site: 2 stored" in result.stderr and "done emails: 1 stored" in result.stderr
    data = json.loads((out / "findings.json").read_text())
    assert {(f["rule"], f["status"]) for f in data["findings"]} == {
        ("product-name", "new"), ("trial-length", "new")}
    rows = list(csv.DictReader((out / "findings.csv").open(encoding="utf-8")))
    assert {r["rule"] for r in rows} == {"product-name", "trial-length"}


def test_audit_of_a_crawl_still_running_audits_the_latest_complete_one_and_says_so(tmp_path):
    config = _project(tmp_path)  # crawl 1: complete, 3 documents
    with Store(tmp_path / "touchaudit.db") as store:
        running = store.start_crawl(str(config), CONFIG)  # crawl 2: still running, 1 page so far
        store.add_documents(running, [Document("website", "website", "https://acme.example/", "Home",
                                               [Region("body", "Half a crawl.")])])
    result = _cli("audit", "--config", str(config))
    assert result.returncode == 1, result.stderr
    assert "crawl 2 is still running" in result.stderr and "auditing crawl 1" in result.stderr
    assert "3 documents" in result.stdout
    named = _cli("audit", "--config", str(config), "--crawl", "2")
    assert named.returncode == 0, named.stderr
    assert "of crawl 2: 1 document" in named.stdout and "still running" not in named.stderr


def test_audit_prints_the_contradictions_it_stored(tmp_path):
    config = _project(tmp_path)
    (tmp_path / "rules" / "facts.yaml").write_text(
        "rules:\n  - id: trial-length\n    kind: fact\n    type: duration\n    context: [free trial]\n")
    with Store(tmp_path / "touchaudit.db") as store:
        crawl = store.crawl()["id"]
        store.add_documents(crawl, [
            Document("website", "website", "https://acme.example/pricing", "Pricing",
                     [Region("body", "Your free trial lasts 14 days.")]),
            Document("emails", "email", "emails/trial.html", "Trial",
                     [Region("body", "Your free trial lasts 30 days.")]),
        ])
    result = _cli("audit", "--config", str(config))
    lines = result.stdout.splitlines()
    assert "contradictions (1):" in lines, result.stdout
    assert lines[lines.index("contradictions (1):") + 1].startswith("  trial-length: ")
    assert "14 days on 1 page" in result.stdout and "30 days on 1 page" in result.stdout

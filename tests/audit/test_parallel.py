"""`--jobs N`: documents audited by several processes give byte-identical outputs to one."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from audit.config import load_config
from audit.documents import Document, Region
from audit.jobs import run_audit
from audit.outputs import write_outputs
from audit.parallel import shares
from audit.store import Store

RULES = """\
rules:
  - {id: product, kind: term, preferred: CloudSync, variants: [Cloud Sync], fuzzy: true}
  - {id: sign-in, kind: language, prefer: sign in, avoid: [log in]}
  - {id: email, kind: consistency, alternatives: [email, e-mail]}
  - {id: trial, kind: fact, type: duration, context: [free trial], expected: 14 days}
"""
FOOTER = "Questions? Send us an e-mail. Cloud Sync is a product of Acme."
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
SENTENCES = ["Log in to Cloud Sync to see your files.", "Your free trial lasts {n} days.",
             "Send an email to support and we reply within a day.", "ClowdSync keeps folders in step.",
             "CloudSync works offline.", "Our e-mail newsletter comes monthly.", "Sign in with your team."]


def _project(tmp_path: Path) -> Path:
    rng = random.Random(4)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES)
    (tmp_path / "touchaudit.yaml").write_text(
        "touchpoints:\n  - {name: site, kind: website, start_urls: ['https://acme.example/']}\n"
        "  - {name: help, kind: website, start_urls: ['https://help.acme.example/']}\nrules: [rules]\n")
    with Store(tmp_path / "touchaudit.db") as store:
        crawl = store.start_crawl("touchaudit.yaml", "x")
        docs = []
        for n in range(90):
            tp = "site" if n % 3 else "help"
            body = " ".join(rng.choice(SENTENCES).format(n=rng.choice([14, 14, 30])) for _ in range(12))
            regions = [Region("title", f"Page {n}"), Region("body", body), Region("footer", FOOTER)]
            docs.append(Document(tp, "website", f"https://{tp}.acme.example/p{n}", f"Page {n}", regions))
        store.add_documents(crawl, docs)
        store.finish_crawl(crawl, "complete")
    return tmp_path / "touchaudit.yaml"


def _outputs(tmp_path: Path, name: str, jobs: int) -> dict[str, str]:
    folder = tmp_path / name
    shutil.copytree(tmp_path / "base", folder)
    config = load_config(folder / "touchaudit.yaml")
    result = run_audit(config, jobs=jobs)
    written = write_outputs(config.store, folder / "out", ["json", "sarif", "csv"], run_id=result.run_id)
    # Byte for byte, but for the moment each run started and finished.
    return {fmt: _STAMP.sub("<time>", path.read_text(encoding="utf-8")) for fmt, path in written.items()}


@pytest.mark.parametrize("jobs", [2, 3])
def test_several_processes_give_byte_identical_outputs(tmp_path: Path, jobs: int):
    (tmp_path / "base").mkdir()
    _project(tmp_path / "base")
    one, many = _outputs(tmp_path, "one", 1), _outputs(tmp_path, "many", jobs)
    findings = json.loads(one["json"])["findings"]
    assert {f["rule"] for f in findings} == {"product", "sign-in", "email", "trial"}
    assert any("looks like" in f["message"] for f in findings)  # near-misses
    assert any(f.get("pages") for f in findings)  # a block repeated across pages, made once
    assert many["csv"] == one["csv"]
    assert many["json"] == one["json"]
    assert many["sarif"] == one["sarif"]


def test_shares_cut_the_documents_into_nearly_equal_runs():
    assert shares(list(range(1, 11)), 3) == [(0, 3), (3, 6), (6, 10)]
    assert shares([5, 9], 4) == [(0, 5), (5, 9)]
    assert shares([], 2) == []


def test_the_command_line_audits_with_several_processes_and_refuses_zero(tmp_path: Path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        _project(tmp_path / name)

    def audit(name: str, *jobs: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "audit.cli", "audit", *jobs, "--fail-on", "never",
                               "--config", str(tmp_path / name / "touchaudit.yaml")],
                              cwd=root, capture_output=True, text=True, timeout=300)

    one, two = audit("one"), audit("two", "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    stored = []
    for name in ("one", "two"):
        with Store(tmp_path / name / "touchaudit.db") as store:
            rows = store.db.execute("SELECT rule, fingerprint, locations FROM findings")
            stored.append(sorted(tuple(r) for r in rows))
    assert stored[0] and stored[0] == stored[1]
    refused = audit("one", "--jobs", "0")
    assert refused.returncode == 2 and "at least 1" in refused.stderr

"""`touchaudit audit --jobs N` against one process, end to end, on the audit_speed corpus.

Builds a project (config, 2000 near-miss term rules + 50 language + 20 fact rules, a store of
--pages pages with fact statements and misspelt names), then runs `touchaudit audit` with one
process and with --jobs N on copies of the same store, printing wall seconds, words per second
and whether the two runs stored the same findings. The machine needs N free cores to show it.

    python benchmarks/jobs_speed.py --pages 2000 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit_speed import brand_names, fact_rules, make_rules, make_store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def findings(store: Path) -> list[tuple]:
    with sqlite3.connect(store) as db:
        return sorted(db.execute("SELECT rule, severity, fingerprint, locations FROM findings").fetchall())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = brand_names(2000)
        make_rules(names, 50, root / "rules", fuzzy=True)
        fact_rules(root / "rules")
        words = make_store(root / "base.db", args.pages, 1000, names[:50], facts=True, typos=0.05)
        print(f"corpus: {args.pages} pages, {words:,} words; {os.cpu_count()} cores here")
        runs = {}
        for jobs in (1, args.jobs):
            folder = root / f"jobs-{jobs}"
            folder.mkdir()
            shutil.copy(root / "base.db", folder / "touchaudit.db")
            (folder / "touchaudit.yaml").write_text(
                "touchpoints:\n  - {name: website, kind: website, start_urls: ['https://bench.example/']}\n"
                f"rules: [{root / 'rules'}]\n")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "audit.cli", "audit", "--jobs", str(jobs), "--fail-on",
                            "never", "--config", str(folder / "touchaudit.yaml")], cwd=REPO, check=True,
                           capture_output=True)
            seconds = time.perf_counter() - started
            runs[jobs] = findings(folder / "touchaudit.db")
            print(f"  --jobs {jobs}: {seconds:6.1f} s end to end, {words / seconds:9,.0f} words/s, "
                  f"{len(runs[jobs]):,} findings", flush=True)
        print(f"  same findings: {runs[1] == runs[args.jobs]}")


if __name__ == "__main__":
    main()

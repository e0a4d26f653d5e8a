"""Fixed cost: from process start to the first document audited, by phase, per tree.

With the rule sets of audit_speed.py (50 or 2000 term rules + 50 language rules), each tree (this
one, and ``--against REV``) runs in a fresh process pinned to one core: import, build the pipeline
(lemma norms), load the rule files, build the matchers, audit one page. Also `touchaudit --help`
and `touchaudit rules check` on the 2000-rule set, as a user starts them. Medians of --repeat runs.

    python benchmarks/fixed_cost.py
    python benchmarks/fixed_cost.py --against HEAD~1 --repeat 5
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit_speed import brand_names, make_rules  # noqa: E402 - benchmarks/ is the script's folder
from paired import as_worker, parser, run_worker, trees  # noqa: E402 - benchmarks/ is the script's folder

PHASES = ("import", "pipeline", "rules", "matchers", "first page")


def worker(rules_dir: str, repo: str) -> None:
    """One measurement in its own process: seconds of each phase, as JSON."""
    start = time.perf_counter()
    as_worker(repo)
    marks = [start]
    from audit.auditor import Auditor
    from audit.documents import Document, Region
    from audit.nlp import pipeline
    from audit.rules import load_rules
    marks.append(time.perf_counter())
    pipeline()
    marks.append(time.perf_counter())
    ruleset = load_rules([rules_dir])
    marks.append(time.perf_counter())
    auditor = Auditor(ruleset)
    marks.append(time.perf_counter())
    page = Document("website", "website", "https://bench.example/", "Home",
                    [Region("body", "Welcome to our product. Sign in to start syncing your files today.")])
    list(auditor.audit([page]))
    auditor.finish()
    marks.append(time.perf_counter())
    print(json.dumps([b - a for a, b in zip(marks, marks[1:], strict=False)]))


def timed(cmd: list[str], repo: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True,
                   check=False)
    return time.perf_counter() - started


def main() -> None:
    ap = parser(__doc__, worker=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = brand_names(2000)
        for n in (50, 2000):
            make_rules(names[:n], 50, root / f"rules-{n}")
        pin = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
        with trees(root, args.against) as measured:
            for label, repo in measured:
                for n in (50, 2000):
                    runs = []
                    for _ in range(args.repeat):
                        runs.append(run_worker(__file__, root / f"rules-{n}", repo, repo=repo))
                    phases = [statistics.median(r[i] for r in runs) for i in range(len(PHASES))]
                    parts = ", ".join(f"{p} {s:.2f}" for p, s in zip(PHASES, phases, strict=True))
                    print(f"{label:>10} {n:>4} term + 50 lang: {sum(phases):5.2f} s to the first page "
                          f"audited ({parts})", flush=True)
                cli = [*pin, sys.executable, "-m", "audit.cli"]
                helps = statistics.median(timed([*cli, "--help"], repo) for _ in range(args.repeat))
                check = statistics.median(timed([*cli, "rules", "check", "--config", str(root / "none.yaml"),
                                                 str(root / "rules-2000")], repo) for _ in range(args.repeat))
                print(f"{label:>10}: touchaudit --help {helps:.2f} s, rules check (2000 + 50 rules) "
                      f"{check:.2f} s", flush=True)


if __name__ == "__main__":
    main()

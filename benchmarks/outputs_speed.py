"""All four outputs of one run at real size: seconds to write each, and peak memory, per tree.

The store of report_size.py (``--places`` term and language places over 400 pages, 12 facts with
ten or more values) is built once; each tree (this one, and ``--against REV``) then writes
report.html, findings.json, findings.sarif and findings.csv from it in its own process pinned to
one core, format by format. Goal (issue "Audit at the speed of the tokenizer"): 40,000 findings
written in 5 s together.

    python benchmarks/outputs_speed.py                        # 40,000 places
    python benchmarks/outputs_speed.py --against HEAD~1
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from paired import as_worker, parser, run_worker, trees  # noqa: E402 - benchmarks/ is the script's folder
from report_size import make_store  # noqa: E402

FORMATS = ("html", "json", "sarif", "csv")


def worker(store: str, out: str, repo: str) -> None:
    as_worker(repo)
    from audit.outputs import write_outputs

    started = time.perf_counter()
    paths = write_outputs(store, out, formats=FORMATS)  # as `touchaudit run` writes them: one read
    total = time.perf_counter() - started
    seconds, sizes = {"all": total}, {f: paths[f].stat().st_size for f in FORMATS}
    for fmt in FORMATS:  # each on its own, reading the run again: where the time goes
        started = time.perf_counter()
        write_outputs(store, out, formats=[fmt])
        seconds[fmt] = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "sizes": sizes, "peak_mb": peak}))


def main() -> None:
    ap = parser(__doc__, worker=3)
    ap.add_argument("--places", type=int, default=40_000)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = root / "run.db"
        make_store(store, args.places)
        print(f"store: {args.places:,} places over 400 pages, 12 facts with 10-12 values on 60 pages")
        with trees(root, args.against) as measured:
            for label, repo in measured:
                out = root / f"out-{len(label)}"
                r = run_worker(__file__, store, out, repo, repo=repo)
                parts = ", ".join(f"{f} {r['seconds'][f]:.2f} s ({r['sizes'][f] / 2**20:.1f} MB)"
                                  for f in FORMATS)
                print(f"{label:>10}: {r['seconds']['all']:.2f} s for the four outputs together (target "
                      f"<= 5 s); each alone, reading the run again: {parts}; peak RSS {r['peak_mb']:.0f} MB",
                      flush=True)


if __name__ == "__main__":
    main()

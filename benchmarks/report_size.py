"""The HTML report at real size: file size, time to write it, and time until it is usable in
headless Chromium (Debian's /usr/bin/chromium through Playwright).

A store holds one run with ``--places`` term and language places (7 rules, up to 30 wordings
each, over 400 pages of three touchpoints) and 12 facts with ten or more values on 60 pages.
Each tree (this one, and ``--against REV`` checked out beside it) writes report.html from the
same store in its own process; the page is then opened and timed to the load event, when the
report's own script has run (filters applied, counts shown). Goals (issue: "The report leads with
what contradicts what"): 20,000 places under 8 MB, usable in under 2 s.

    python benchmarks/report_size.py                       # 20,000 places
    python benchmarks/report_size.py --against HEAD~1
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from paired import as_worker, parser, run_worker  # noqa: E402 - benchmarks/ is the script's folder

REPO = Path(__file__).resolve().parents[1]


def make_store(path: Path, places: int, pages: int = 400) -> None:
    """The run every tree reports on: built once, with this tree's store."""
    from audit.documents import Document, Region
    from audit.findings import Finding, Location, Observation
    from audit.store import RunStore, Store

    tps = ("site", "help", "mail")

    def loc(tp: str, url: str, text: str, sentence: str, title: str) -> Location:
        i = sentence.index(text)
        return Location(tp, url, "body", i, i + len(text), text, sentence, 0, title)

    findings = []
    for i in range(places):
        text = f"Acme{'-' if i % 2 else ' '}Cloud{i % 30}"
        p = i % pages
        sentence = f"On page {p}, try {text} today: item {i}."
        where = loc(tps[p % 3], f"https://example.test/p{p}", text, sentence, f"Page {p}")
        findings.append(Finding("language" if i % 7 == 6 else "term", f"rule-{i % 7}",
                                ("error", "warning", "info")[i % 7 % 3], f"Write 'Acme Cloud', not {text!r}",
                                [where], "Acme Cloud", f"fp-{i}", ("new", "open")[i % 2]))
    observations = []
    for f in range(12):
        obs = []
        for j in range(60):
            days = 14 + j % (10 + f % 3)
            text = f"{days} days"
            obs.append(Observation(f"fact-{f}", {"days": days}, text,
                                   loc(tps[j % 3], f"https://example.test/p{j}", text,
                                       f"Fact {f}: the trial lasts {text} on page {j}.", f"Page {j}"),
                                   "", text, "context 'trial' in its clause"))
        observations += obs
        groups: dict[str, dict] = {}
        for o in obs:
            g = groups.setdefault(o.display, {"value": o.value, "display": o.display, "count": 0,
                                              "locations": []})
            g["count"] += 1
            g["locations"].append(o.location.to_dict())
        findings.append(Finding("fact", f"fact-{f}", "error", f"fact-{f} disagrees",
                                [o.location for o in obs], None, f"fact-fp-{f}", "new",
                                {"fact": f"fact-{f}", "qualifier": "", "type": "duration",
                                 "groups": sorted(groups.values(), key=lambda g: -g["count"])}))
    with Store(path) as store:
        crawl = store.start_crawl("touchaudit.yaml", "bench")
        store.add_documents(crawl, [Document("site", "website", "https://example.test/p0", "Page 0",
                                             [Region("body", "On page 0.")])])
        store.finish_crawl(crawl, "complete")
        runs = RunStore(store)
        run = runs.start_run(crawl, store.crawl(crawl)["config_hash"], "rules")
        runs.add_findings(run, findings)
        runs.add_observations(run, observations)
        runs.finish_run(run, {})


def worker(store: str, out: str, repo: str) -> None:
    as_worker(repo)
    from audit.outputs import write_outputs

    start = time.perf_counter()
    path = write_outputs(store, out, formats=["html"])["html"]
    print(json.dumps({"path": str(path), "seconds": time.perf_counter() - start}))


def open_in_chromium(report: Path) -> float:
    """Seconds from navigation to the load event (the report's script has run by then)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        times = []
        for _ in range(3):
            page.goto(report.resolve().as_uri(), wait_until="load", timeout=300_000)
            times.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
        browser.close()
    return min(times)


def main() -> None:
    ap = parser(__doc__, worker=3)
    ap.add_argument("--places", type=int, default=20_000)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = root / "report.db"
        make_store(store, args.places)
        print(f"store: {args.places:,} places over 400 pages, 12 facts with 10-12 values on 60 pages")
        from paired import trees

        with trees(root, args.against) as measured:
            for n, (label, repo) in enumerate(measured):
                result = run_worker(__file__, store, root / f"out{n}", repo, repo=repo)
                report = Path(result["path"])
                size = report.stat().st_size / 1e6
                load = open_in_chromium(report)
                took = result["seconds"]
                print(f"{label:>10}: report.html {size:.1f} MB (goal < 8), written in {took:.1f} s, "
                      f"usable in Chromium after {load:.2f} s (goal < 2)", flush=True)


if __name__ == "__main__":
    main()

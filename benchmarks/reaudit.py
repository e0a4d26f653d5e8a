"""The rule-editing loop: re-audit a large crawl after editing one rule, to a rewritten report.

A 2000-page site (audit_speed.py's fact corpus, misspelt names included) and the full rule set
(2000 term rules with near-miss detection, 50 language rules, 20 fact rules) are made once. Each
tree (this one, and ``--against REV``) then runs, in one process pinned to one core as
``touchaudit audit --watch`` does: a first audit and report, then one edit of the rule files at a
time, each followed by a re-audit and report.html rewritten (as --watch does); and, in a fresh
process (``touchaudit audit`` from the command line after an edit), the same once more. Printed:
seconds end to end, of which the audit, and how many documents kept their results. Goal (issue
"Audit at the speed of the tokenizer"): <= 5 s end to end for one edited rule (moonshot 2 s).

    python benchmarks/reaudit.py                        # 2000 pages
    python benchmarks/reaudit.py --pages 300 --against HEAD~1
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from audit_speed import brand_names, fact_rules, make_rules, make_store  # noqa: E402
from paired import as_worker, parser, run_worker, trees  # noqa: E402 - benchmarks/ is the script's folder

# (label, rule file, text replaced, replacement): one edit each, applied in turn, each kept.
EDITS = [
    ("variant added to a name on 1 page in 9", "rules.yaml", "  - id: term-0\n", None),
    ("severity of a name on no page", "rules.yaml", "  - id: term-1500\n    kind: term\n",
     "  - id: term-1500\n    kind: term\n    severity: error\n"),
    ("a new term rule", "rules.yaml", "  - id: lang-0\n",
     "  - {id: new-term, kind: term, preferred: Bright Cloud, variants: [brightcloud]}\n  - id: lang-0\n"),
    ("a fact rule's context", "facts.yaml", 'context: ["free trial", "trial"]',
     'context: ["free trial", "trial", "trial period"]'),
]


def _edit(rules: Path, n: int) -> str:
    label, name, old, new = EDITS[n]
    path = rules / name
    text = path.read_text()
    if new is None:  # the first name's variants gain a spelling
        start = text.index(old)
        at = text.index("variants: [", start) + len("variants: [")
        text = text[:at] + '"Spelt Wrong", ' + text[at:]
    else:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)
    return label


def _audit_and_report(config_path: Path, out: Path) -> dict:
    from audit.config import load_config
    from audit.jobs import run_audit
    from audit.outputs import write_outputs

    started = time.perf_counter()
    result = run_audit(load_config(config_path))
    audited = time.perf_counter() - started
    write_outputs(load_config(config_path).store, out, ("html",), run_id=result.run_id)  # as --watch
    total = time.perf_counter() - started
    stats = getattr(result, "reaudit", None)
    return {"total": total, "audit": audited, "documents": result.documents, "words": result.words,
            "kept": stats.kept if stats else 0, "findings": sum(result.totals.get("severity", {}).values())}


def worker(project: str, mode: str, repo: str) -> None:
    """``loop``: first audit, then each edit in the same process; ``once``: one audit."""
    as_worker(repo)
    folder = Path(project)
    config = folder / "touchaudit.yaml"
    steps = []
    if mode == "loop":
        steps.append(("first audit", _audit_and_report(config, folder / "out")))
        for n in range(len(EDITS)):
            label = _edit(folder / "rules", n)
            steps.append((label, _audit_and_report(config, folder / "out")))
    else:
        steps.append(("fresh process", _audit_and_report(config, folder / "out")))
    print(json.dumps(steps))


def main() -> None:
    ap = parser(__doc__, worker=3)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--words-per-page", type=int, default=1250)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = root / "base"
        names = brand_names(2000)
        make_rules(names, 50, base / "rules", fuzzy=True)
        fact_rules(base / "rules")
        words = make_store(base / "touchaudit.db", args.pages, args.words_per_page, names[:50], facts=True,
                           typos=0.05)
        (base / "touchaudit.yaml").write_text(
            "touchpoints:\n  - {name: website, kind: website, start_urls: ['https://bench.example/']}\n"
            "rules: [rules]\nstore: touchaudit.db\n")
        print(f"corpus: {args.pages} pages, {words:,} words; "
              "2000 near-miss term + 50 language + 20 fact rules")
        with trees(root, args.against) as measured:
            for label, repo in measured:
                project = root / f"p-{len(label)}-{abs(hash(label))}"
                shutil.copytree(base, project)
                for step, r in run_worker(__file__, project, "loop", repo, repo=repo):
                    kept = f", {r['kept']} of {r['documents']} documents kept" if r["kept"] else ""
                    print(f"{label:>10} {step:>40}: {r['total']:5.1f}s end to end (audit {r['audit']:.1f}s"
                          f"{kept}), {r['findings']:,} findings", flush=True)
                rules = project / "rules" / "rules.yaml"  # one more edit, then the command line's way
                head = "  - id: term-7\n    kind: term\n"
                rules.write_text(rules.read_text().replace(head, head + "    severity: info\n", 1))
                started = time.perf_counter()
                [(step, r)] = run_worker(__file__, project, "once", repo, repo=repo)
                whole = time.perf_counter() - started
                kept = f", {r['kept']} of {r['documents']} documents kept" if r["kept"] else ""
                print(f"{label:>10} {'one more edit, in a new process':>40}: {whole:5.1f}s from process "
                      f"start (audit {r['audit']:.1f}s, report {r['total'] - r['audit']:.1f}s{kept})",
                      flush=True)


if __name__ == "__main__":
    main()

"""Audit throughput and memory at 50, 500 and 2000 term rules (+ 50 language rules).

Generates a store of synthetic pages (several million words, brand names and avoided phrases
sprinkled in), then audits it once per rule-set size, each in a fresh process pinned to one core,
and prints words per second, the time ratio 2000 vs 50 rules, and peak memory (RSS) after a third
and after all of the documents (flat = documents are streamed, not held). ``--against REV``
measures another commit (a git worktree) in the same run, so the figures pair up; ``--patterns``
also measures 2000 rules of which 200 have a regular-expression variant; ``--facts`` measures
50 term + 50 language rules with and without 20 fact rules on pages that state facts (prices per
plan, trial lengths, phones, uptime…), so the cost of reading facts shows on its own.

    python benchmarks/audit_speed.py                         # ~3M words
    python benchmarks/audit_speed.py --pages 500             # a quick look
    python benchmarks/audit_speed.py --against HEAD~1 --patterns
    python benchmarks/audit_speed.py --pages 1000 --facts --against 10a440f
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from paired import as_worker, parser, run_worker  # noqa: E402 - benchmarks/ is the script's folder

REPO = Path(__file__).resolve().parents[1]


def lemma_table() -> dict[str, str]:
    from audit.nlp import lemma_table as table

    return table()

SYLLABLES = ["clo", "ud", "sy", "nc", "pi", "xel", "ver", "ta", "no", "va", "zen", "qu", "ark", "lum",
             "bri", "tek", "sol", "mon", "ra", "fy"]


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() + rng.choice(
        ["", " Pro", " Cloud", "Hub", " Sync"])


def brand_names(n: int) -> list[str]:
    rng = random.Random(1)
    names, seen = [], set()
    while len(names) < n:
        b = brand(rng)
        if b.lower() not in seen:
            seen.add(b.lower())
            names.append(b)
    return names


def make_rules(names: list[str], n_language: int, folder: Path, patterns: int = 0,
               fuzzy: bool = False) -> None:
    """Nested rule sets: the 500-rule set holds the 50-rule set's rules, and so on. The first
    ``patterns`` term rules also get a pattern variant (the name with a space or hyphen inside)."""
    rng = random.Random(2)
    lines = ["rules:"]
    for i, name in enumerate(names):
        variants = [json.dumps(name.lower()), json.dumps(name.upper())]
        if i < patterns:
            head, tail = name[:3], name[3:]
            variants.append("{pattern: " + json.dumps(f"{head}[- ]{tail}") + "}")
        lines += [f"  - id: term-{i}", "    kind: term", f"    preferred: {json.dumps(name)}",
                  f"    variants: [{', '.join(variants)}]"] + (["    fuzzy: true"] if fuzzy else [])
    words = sorted(lemma_table().values())
    for i in range(n_language):
        a, b = rng.sample(words[1000:20000], 2)
        lines += [f"  - id: lang-{i}", "    kind: language", f"    prefer: {json.dumps(a)}",
                  f"    avoid: [{json.dumps(b)}]"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rules.yaml").write_text("\n".join(lines) + "\n")


FACT_RULES = [
    ("trial-length", "duration", ["free trial", "trial"], ""),
    ("refund-window", "duration", ["refund", "money-back"], ""),
    ("response-time", "duration", ["reply within", "answer within"], ""),
    ("retention", "duration", ["keep your data", "retention"], ""),
    ("plan-price", "money", ["costs", "price", "per month"], "qualifiers: [Basic, Plus, Business]"),
    ("setup-fee", "money", ["setup fee", "onboarding fee"], ""),
    ("storage", "number", ["storage", "includes"],
     "qualifiers: [Basic, Plus, Business]\n    options: {unit: GB}"),
    ("seats", "number", ["seats"], "qualifiers: [Basic, Plus, Business]\n    options: {unit: seat}"),
    ("customers", "number", ["customers", "trusted by"], "options: {unit: customer}"),
    ("countries", "number", ["countries"], "options: {unit: country}"),
    ("uptime", "percent", ["uptime", "availability"], ""),
    ("discount", "percent", ["save", "discount"], ""),
    ("support-phone", "phone", ["call", "phone", "support line"], "options: {region: US}"),
    ("sales-phone", "phone", ["sales line", "call sales"], "options: {region: US}"),
    ("support-email", "email", ["support", "write to"], ""),
    ("press-email", "email", ["press", "media"], ""),
    ("launch-date", "date", ["launched on", "available from"], ""),
    ("price-change", "date", ["new prices apply from"], ""),
    ("docs-url", "url", ["documentation", "docs"], ""),
    ("status-url", "url", ["status page"], ""),
]
FACT_SENTENCES = [
    "Your free trial lasts {d} days, and we keep your data for {d2} days after cancellation.",
    "Basic costs ${p} per month, Plus costs ${p2} per month and Business costs ${p3} per month.",
    "Plus includes {n} GB of storage and {s} seats.",
    "We guarantee {u}% uptime; call our support line at (415) 555-01{x} or write to support@bench.example.",
    "Refunds are available within {d} days, and we reply within {h} hours.",
    "Trusted by {c},000 customers in {k} countries; save {pc}% with yearly billing.",
    "New prices apply from March {dd}, 2026, and the status page is https://status.bench.example/.",
]


def fact_rules(folder: Path) -> None:
    lines = ["rules:"]
    for rid, vtype, context, more in FACT_RULES:
        lines += [f"  - id: {rid}", "    kind: fact", f"    type: {vtype}",
                  f"    context: {json.dumps(context)}"]
        if more:
            lines.append(f"    {more}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").write_text("\n".join(lines) + "\n")


def fact_sentence(rng: random.Random) -> str:
    return rng.choice(FACT_SENTENCES).format(
        d=rng.choice([14, 14, 30]), d2=rng.choice([30, 60]), p=9, p2=rng.choice([19, 19, 24]), p3=49,
        n=rng.choice([50, 50, 100]), s=5, u=rng.choice(["99.9", "99.9", "99.95"]), x=rng.choice([72, 72, 27]),
        h=24, c=rng.choice([12, 12, 10]), k=40, pc=17, dd=rng.choice([1, 1, 15]))


def typo(name: str, rng: random.Random) -> str:
    """A near-miss of a name: one letter swapped for another (near-miss detection's input)."""
    i = rng.randrange(1, len(name))
    return name[:i] + rng.choice("aeioustr") + name[i + 1:]


def make_store(path: Path, pages: int, words_per_page: int, names: list[str], facts: bool = False,
               typos: float = 0.0) -> int:
    from audit.documents import Document, Region
    from audit.store import Store

    rng = random.Random(7)
    vocab = [w for w in lemma_table() if w.isalpha()][:30000]
    total = 0
    with Store(path) as store:
        crawl = store.start_crawl("bench.yaml", "bench")
        batch = []
        for p in range(pages):
            sentences = []
            n = 0
            while n < words_per_page:
                sent = rng.choices(vocab, k=rng.randint(8, 20))
                if rng.random() < 0.1:  # about one name per 150 words
                    name = rng.choice(names)
                    at = rng.randrange(len(sent))  # drawn in this order: the corpus of earlier figures
                    written = rng.choice([name, name, name.lower()])
                    if typos and rng.random() < typos:
                        written = typo(name, rng)
                    sent.insert(at, written)
                sentences.append(" ".join(sent).capitalize() + ".")
                n += len(sent)
                if facts and rng.random() < 0.1:  # about one fact statement per 150 words
                    fact = fact_sentence(rng)
                    sentences.append(fact)
                    n += len(fact.split())
            body = " ".join(sentences)
            total += len(body.split())
            batch.append(Document("website", "website", f"https://bench.example/{p}", f"Page {p}",
                                  [Region("title", f"Page {p}"), Region("body", body)]))
            if len(batch) == 200:
                store.add_documents(crawl, batch)
                batch = []
        store.add_documents(crawl, batch)
        store.finish_crawl(crawl, "complete")
    return total


def worker(store_path: str, rules_dir: str, repo: str) -> None:
    """One measurement, in its own process: audit every document, report time and memory."""
    as_worker(repo)
    from audit.auditor import Auditor
    from audit.rules import load_rules
    from audit.store import Store

    ruleset = load_rules([rules_dir])
    auditor = Auditor(ruleset)
    # Matchers and word lists made before the clock starts, as in every tree (newer ones make
    # them when the first document is audited): this measures words per second, fixed_cost.py
    # the time to the first document.
    getattr(auditor, "matcher", None)
    if auditor.fuzzy:
        getattr(auditor.fuzzy, "english", None)
    with Store(store_path) as store:
        crawl = store.crawl()["id"]
        n_docs = store.document_count(crawl)
        rss_third = 0
        findings = 0
        start = time.perf_counter()
        words = 0

        def documents():
            nonlocal rss_third, words
            for i, doc in enumerate(store.iter_documents(crawl)):
                words += doc.word_count
                if i == n_docs // 3:
                    rss_third = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                yield doc

        findings = sum(1 for _ in auditor.audit(documents()))
        findings += len(auditor.finish())
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "words": words, "documents": auditor.documents,
                      "findings": findings, "rss_third_kb": rss_third,
                      "rss_end_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def run(repo: Path, store: Path, rules: Path) -> dict:
    return run_worker(__file__, store, rules, repo, repo=repo)


def show(label: str, n: str, r: dict) -> None:
    rate = r["words"] / r["seconds"]
    third, end = r["rss_third_kb"] / 1024, r["rss_end_kb"] / 1024
    print(f"{label:>10} {n:>17}: {rate:>10,.0f} words/s on one core, {r['seconds']:.1f}s, "
          f"{r['findings']:,} findings, peak RSS {third:.0f} MB after 1/3 of the documents, "
          f"{end:.0f} MB after all", flush=True)


def main() -> None:
    ap = parser(__doc__, worker=3)
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--words-per-page", type=int, default=1000)
    ap.add_argument("--patterns", action="store_true", help="also 2000 rules, 200 with a pattern")
    ap.add_argument("--facts", action="store_true", help="also 50 + 50 rules with and without 20 fact rules")
    ap.add_argument("--full", action="store_true",
                    help="also the full audit: 2000 near-miss term + 50 language + 20 fact rules on the "
                         "fact corpus")
    ap.add_argument("--near-miss", action="store_true",
                    help="also 2000 term rules with near-miss detection (fuzzy: true) on every one")
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = (50, 500, 2000)
        names = brand_names(max(sizes))
        for n in sizes:
            make_rules(names[:n], 50, root / f"rules-{n}")
        make_rules(names, 50, root / "rules-2000-patterns", patterns=200)
        make_rules(names, 50, root / "rules-2000-fuzzy", fuzzy=True)
        store = root / "bench.db"
        # The pages mention names of the smallest set (in the preferred form and as variants), so
        # every size finds the same findings and the figures compare the cost of matching.
        words = make_store(store, args.pages, args.words_per_page, names[:50])
        print(f"corpus: {args.pages} pages, {words:,} words (whitespace-separated)")
        facts_store = root / "facts.db"
        if args.full:
            make_rules(names, 50, root / "rules-full", fuzzy=True)
            fact_rules(root / "rules-full")
        if args.facts or args.full:
            make_rules(names[:50], 50, root / "rules-50-facts")
            fact_rules(root / "rules-50-facts")
            fact_words = make_store(facts_store, args.pages, args.words_per_page, names[:50], facts=True)
            print(f"fact corpus: {args.pages} pages, {fact_words:,} words, a fact statement per ~150 words")
        from paired import trees

        with trees(root, args.against) as measured:
            for label, repo in measured:
                results = {}
                for n in sizes:
                    results[n] = run(repo, store, root / f"rules-{n}")
                    show(label, f"{n} term + 50 lang", results[n])
                ratio = results[2000]["seconds"] / results[50]["seconds"]
                print(f"{label:>10}: time ratio 2000 vs 50 term rules: {ratio:.2f}x (target <= 1.5x)")
                if args.full:
                    full = run(repo, facts_store, root / "rules-full")
                    show(label, "full (2000+50+20)", full)
                    print(f"{label:>10}: the full audit at {full['words'] / full['seconds']:,.0f} words/s "
                          "(target >= 100,000)")
                if args.near_miss:
                    fuzzy = run(repo, store, root / "rules-2000-fuzzy")
                    show(label, "2000, near-misses", fuzzy)
                    print(f"{label:>10}: near-miss detection on 2000 rules takes "
                          f"{1 - results[2000]['seconds'] / fuzzy['seconds']:.0%} of the audit "
                          "(target <= 20%)")
                if args.facts:
                    plain = run(repo, facts_store, root / "rules-50")
                    show(label, "50 + 50, no facts", plain)
                    with_facts = run(repo, facts_store, root / "rules-50-facts")
                    show(label, "+ 20 fact rules", with_facts)
                    print(f"{label:>10}: 20 fact rules cost {with_facts['seconds'] / plain['seconds']:.2f}x "
                          "the time of the same audit without them")
                if args.patterns and label == "this tree":
                    r = run(repo, store, root / "rules-2000-patterns")
                    show(label, "2000 (200 regex)", r)
                    cost = r["seconds"] / results[2000]["seconds"]
                    print(f"{label:>10}: 200 pattern variants cost {cost:.2f}x the time of 2000 literal "
                          "rules")


if __name__ == "__main__":
    main()

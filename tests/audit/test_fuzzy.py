"""Near-miss scoring: the indexed, batched search (audit/fuzzy.py) against the plain definition."""

from __future__ import annotations

import json
import random
from pathlib import Path

from rapidfuzz import fuzz

from audit.fuzzy import NearMisses, compact
from audit.rules import load_rules

SYLLABLES = ["clo", "ud", "sy", "nc", "pi", "xel", "ver", "ta", "no", "va", "zen", "qu", "ark", "lum"]


def _plain_best(misses: NearMisses, candidate: str):
    """The definition: every target within 2 characters, in order; the first best score wins."""
    result = None
    if candidate not in misses.known and len(candidate) >= 4:
        for rule, target, _ in misses.targets:
            if abs(len(target) - len(candidate)) > 2:
                continue
            score = fuzz.ratio(candidate, target)
            if score >= rule.threshold and (result is None or score > result[1]):
                result = (rule, round(score, 1))
    return result


def test_indexed_near_miss_search_gives_exactly_the_plain_definitions_results(tmp_path: Path):
    rng = random.Random(5)
    names = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
                    + rng.choice(["", " Pro", " Cloud", "Hub"]) for _ in range(600)})
    (tmp_path / "r.yaml").write_text("rules:\n" + "".join(
        f"  - {{id: t{i}, kind: term, preferred: {json.dumps(n)}, variants: [{json.dumps(n.upper())}], "
        f"fuzzy: true, threshold: {80 + i % 15}}}\n" for i, n in enumerate(names)))
    misses = NearMisses(load_rules([tmp_path / "r.yaml"]).rules)
    candidates = []
    for name in names:
        letters = list(compact(name))
        letters[rng.randrange(len(letters))] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        if rng.random() < 0.3:
            del letters[rng.randrange(len(letters))]
        candidates.append("".join(letters))
    candidates += ["".join(rng.choice("abcdeklmnosu") for _ in range(rng.randint(4, 14))) for _ in range(600)]
    def named(found):
        return (found[0].id, found[1]) if found else None

    want = [named(_plain_best(misses, c)) for c in candidates]
    assert [named(misses._best(c)) for c in candidates] == want
    assert sum(w is not None for w in want) > 300  # the sample holds many near-misses


def _plain_find(misses: NearMisses, doc, taken: set[int]):
    """The definition of the scan: at each token, every window of 1 .. max_n tokens that holds no
    taken, non-alphabetic, URL or e-mail token and not only common words; the best one is taken
    and the scan goes on after it."""
    out, i = [], 0
    while i < len(doc):
        best = None
        for n in range(1, misses.max_n + 1):
            window = doc[i:i + n]
            if i + n > len(doc) or any(t.i in taken or not t.is_alpha or t.like_url or t.like_email
                                       for t in window):
                break
            if all(t.lower_ in misses.english or t.is_stop for t in window):
                continue
            hit = _plain_best(misses, compact(window.text))
            if hit is not None and (best is None or hit[1] > best[3]):
                best = (hit[0].id, i, i + n, hit[1])
        if best is not None:
            out.append(best)
            i = best[2]
        else:
            i += 1
    return out


def test_the_scan_finds_exactly_the_windows_of_the_plain_definition(tmp_path: Path):
    from audit.nlp import pipeline

    rng = random.Random(11)
    names = ["CloudSync", "Pixelverta", "Zenark Pro", "Lumtek Hub", "Quno Cloud"]
    (tmp_path / "r.yaml").write_text("rules:\n" + "".join(
        f"  - {{id: t{i}, kind: term, preferred: {json.dumps(n)}, fuzzy: true}}\n"
        for i, n in enumerate(names)))
    misses = NearMisses(load_rules([tmp_path / "r.yaml"]).rules)
    words = ["the", "sync", "files", "cloud", "pixel", "with", "your", "team", "today", "is", "ark", "zen",
             "-", "ClowdSync", "Cloud Synk", "Pixelvreta", "Zenark Pr0", "Lumtek-Hub", "Quno Clouds", "Kwuno",
             "https://acme.example/x", "a@b.example", "42", "CloudSync", "Zen ark Pro"]
    nlp = pipeline()
    found = 0
    for _ in range(150):
        doc = nlp(" ".join(rng.choice(words) for _ in range(rng.randint(5, 40))))
        taken = {i for i in range(len(doc)) if rng.random() < 0.1}
        got = [(m.rule.id, m.start, m.end, m.score) for m in misses.find(doc, taken)]
        assert got == _plain_find(misses, doc, taken), doc.text
        found += len(got)
    assert found > 100

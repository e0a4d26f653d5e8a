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

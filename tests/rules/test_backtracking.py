"""The backtracking linter on hand-labelled patterns (tests/rules/backtracking.yaml).

Precision and recall are printed; every label must hold. Each `stalls` case is also run on a text
built to make it backtrack, to keep the labels honest: it must need the time box.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from audit.rules.forms import pattern_problem
from audit.yamlfile import loads

CASES = loads((Path(__file__).parent / "backtracking.yaml").read_text(encoding="utf-8"))


def test_the_linter_refuses_every_stalling_pattern_and_passes_every_fine_one(capsys):
    flagged = {p for p in CASES["stalls"] + CASES["fine"] if pattern_problem(p)}
    tp = len(flagged & set(CASES["stalls"]))
    precision = tp / len(flagged) if flagged else 1.0
    recall = tp / len(CASES["stalls"])
    with capsys.disabled():
        print(f"\nbacktracking linter on {len(CASES['stalls'])} stalling and {len(CASES['fine'])} fine "
              f"patterns: precision {precision:.2f}, recall {recall:.2f}")
    assert sorted(set(CASES["stalls"]) - flagged) == []
    assert sorted(flagged & set(CASES["fine"])) == []


@pytest.mark.parametrize("pattern", CASES["fine"])
def test_fine_patterns_finish_at_once_on_long_texts(pattern: str):
    for text in ("a" * 2_000 + "!", "1" * 2_000 + "!", "Cloud " * 400 + "!", "/x" * 1_000):
        regex.search(pattern, text, timeout=1.0)  # raises TimeoutError if the label is wrong

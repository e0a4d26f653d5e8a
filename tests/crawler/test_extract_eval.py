"""The extraction gate (after trafilatura's eval): hand-written pages of common shapes, with
snippets each region must and must not hold. The score falls when extraction regresses."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.extract import extract

HERE = Path(__file__).parent
EVAL_PAGES = HERE.parent / "fixtures" / "sites" / "eval"
THRESHOLD = 0.95  # currently 1.00; a drop below this fails the suite


def score() -> tuple[float, list[str]]:
    """(share of snippets judged right, the misses as readable lines)."""
    data = json.loads((HERE / "evaldata.json").read_text(encoding="utf-8"))
    right, total, misses = 0, 0, []
    for name, spec in data["pages"].items():
        regions = {r.name: r.text for r in extract((EVAL_PAGES / name).read_text(encoding="utf-8")).regions}
        for mode in ("with", "without"):
            for region, snippets in spec[mode].items():
                for snippet in snippets:
                    total += 1
                    found = snippet in regions.get(region, "")
                    if found == (mode == "with"):
                        right += 1
                    else:
                        misses.append(f"{name}: {region} should be {mode} {snippet!r}")
    return right / total, misses


def test_every_eval_page_exists_and_names_known_regions() -> None:
    from audit.documents import REGIONS

    data = json.loads((HERE / "evaldata.json").read_text(encoding="utf-8"))
    for name, spec in data["pages"].items():
        assert (EVAL_PAGES / name).is_file(), name
        assert set(spec["with"]) | set(spec["without"]) <= set(REGIONS), name


def test_extraction_score_stays_above_threshold() -> None:
    value, misses = score()
    print(f"extraction score {value:.3f}")
    assert value >= THRESHOLD, f"extraction score {value:.3f} < {THRESHOLD}:\n" + "\n".join(misses)

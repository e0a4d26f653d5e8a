"""Unknown near-misses of brand names: "ClowdSync" or "Cloud Synk" when the rule knows neither.

Token n-grams of a region are compared with every fuzzy term's forms (rapidfuzz ratio on the
lower-cased form without spaces or hyphens). Candidates made only of common English words are
never reported, nor spans the matcher already matched, nor URLs or e-mail addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from spacy.tokens import Doc

from audit.nlp import english_words
from audit.rules.term import TermRule


@dataclass
class NearMiss:
    rule: TermRule
    start: int  # token offsets
    end: int
    score: float


def compact(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class NearMisses:
    """Finds near-misses of all fuzzy term rules in one scan per region."""

    def __init__(self, rules: list[TermRule]):
        self.targets: list[tuple[TermRule, str, int]] = []
        known: set[str] = set()
        for rule in rules:
            for _, form in rule.forms():
                c = compact(form)
                known.add(c)
                known.add(c + "s")
                self.targets.append((rule, c, max(1, len(form.split()))))
        self.known = known
        self.max_n = max((n for _, _, n in self.targets), default=0) + 1
        self.english = english_words() if self.targets else frozenset()
        self.cache: dict[str, tuple[TermRule, float] | None] = {}

    def __bool__(self) -> bool:
        return bool(self.targets)

    def find(self, doc: Doc, taken: set[int]) -> list[NearMiss]:
        out: list[NearMiss] = []
        i = 0
        n_tokens = len(doc)
        while i < n_tokens:
            best: NearMiss | None = None
            for n in range(1, self.max_n + 1):
                j = i + n
                if j > n_tokens:
                    break
                window = doc[i:j]
                if any(t.i in taken or not t.is_alpha or t.like_url or t.like_email for t in window):
                    break
                if all(t.lower_ in self.english or t.is_stop for t in window):
                    continue
                hit = self._best(compact(window.text))
                if hit is not None and (best is None or hit[1] > best.score):
                    best = NearMiss(hit[0], i, j, hit[1])
            if best is not None:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out

    def _best(self, candidate: str) -> tuple[TermRule, float] | None:
        if candidate in self.cache:
            return self.cache[candidate]
        result = None
        if candidate not in self.known and len(candidate) >= 4:
            for rule, target, _ in self.targets:
                if abs(len(target) - len(candidate)) > 2:
                    continue
                score = fuzz.ratio(candidate, target)
                if score >= rule.threshold and (result is None or score > result[1]):
                    result = (rule, round(score, 1))
        self.cache[candidate] = result
        return result

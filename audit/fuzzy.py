"""Unknown near-misses of brand names: "ClowdSync" or "Cloud Synk" when the rule knows neither.

Token n-grams of a region are compared with every fuzzy term's forms (rapidfuzz ratio on the
lower-cased form without spaces or hyphens). Candidates made only of common English words are
never reported, nor spans the matcher already matched, nor URLs or e-mail addresses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from spacy.attrs import ORTH
from spacy.tokens import Doc

from audit.nlp import english_words
from audit.rules.term import TermRule


@dataclass
class NearMiss:
    rule: TermRule
    start: int  # token offsets
    end: int
    score: float


_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses (checked over U+0020..U+2FFF)


def compact(text: str) -> str:
    """The letters and digits of a text, lower-cased: "Cloud-Sync" and "cloud sync" are one."""
    return _NOT_ALNUM.sub("", text.lower())


# What a window needs of each word (may it be part of one, is it common English, its letters),
# by the word's hash: it depends on the word alone (and English's fixed lists), so every audit
# of a process shares it (``audit --watch`` audits the same words again and again).
_LEXEMES: dict[int, tuple[bool, bool, str]] = {}


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
        self.cache: dict[str, tuple[TermRule, float] | None] = {}
        self.windows: set[str] | None = None  # when a set, every window scored is added to it
        self.lexemes = _LEXEMES  # orth -> what _lexeme() says of it: the word's alone, so shared
        # Targets by length: a candidate is compared only with targets at most 2 characters
        # longer or shorter (a ratio over the threshold needs that), in the targets' order.
        self.by_length: dict[int, list[tuple[int, TermRule, str]]] = {}
        for k, (rule, target, _) in enumerate(self.targets):
            self.by_length.setdefault(len(target), []).append((k, rule, target))

    def __bool__(self) -> bool:
        return bool(self.targets)

    @functools.cached_property
    def english(self) -> frozenset[str]:
        """Common English words (read when a window is first scored: a re-audit that keeps every
        document's results never reads them)."""
        return english_words()

    def find(self, doc: Doc, taken: set[int]) -> list[NearMiss]:
        """Windows of 1 .. max_n tokens, read from per-token lists made once per region (no span
        is built per window): a window stops at a taken, non-alphabetic, URL or e-mail token."""
        n_tokens = len(doc)
        lexemes = self.lexemes
        info = [lexemes.get(orth) or self._lexeme(doc, orth) for orth in doc.to_array(ORTH).tolist()]
        usable = [ok and i not in taken for i, (ok, _, _) in enumerate(info)]
        common = [c for _, c, _ in info]
        parts = [p for _, _, p in info]
        # Only a window holding an uncommon word is scored: start where such a word is in reach.
        reach = self.max_n
        starts = sorted({s for k in range(n_tokens) if usable[k] and not common[k]
                         for s in range(max(0, k - reach + 1), k + 1)})
        out: list[NearMiss] = []
        i = 0
        for start in starts:
            if start < i:
                continue  # inside the near-miss found last
            best: NearMiss | None = None
            candidate = ""
            all_common = True
            for j in range(start + 1, min(start + reach, n_tokens) + 1):
                if not usable[j - 1]:
                    break
                candidate += parts[j - 1]
                all_common = all_common and common[j - 1]
                if all_common:
                    continue
                if self.windows is not None:
                    self.windows.add(candidate)
                hit = self._best(candidate)
                if hit is not None and (best is None or hit[1] > best.score):
                    best = NearMiss(hit[0], start, j, hit[1])
            if best is not None:
                out.append(best)
                i = best.end
        return out

    def _lexeme(self, doc: Doc, orth: int) -> tuple[bool, bool, str]:
        """What a window needs of a word, read once per distinct word (all of it is the word's,
        not its context's): may it be part of a near-miss, is it common English, its letters."""
        lex = doc.vocab[orth]
        found = (lex.is_alpha and not lex.like_url and not lex.like_email,
                 lex.lower_ in self.english or lex.is_stop, compact(lex.orth_))
        self.lexemes[orth] = found
        return found

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one NearMisses per audit, a few lengths
    def _near(self, length: int) -> tuple[list[tuple[int, TermRule, str]], list[str], float]:
        """Targets within 2 characters of ``length`` in the targets' order (which decides between
        equal scores, as before), their texts, and the lowest threshold among them."""
        near = sorted((t for n in range(length - 2, length + 3) for t in self.by_length.get(n, ())),
                      key=lambda t: t[0])
        return near, [t for _, _, t in near], min((r.threshold for _, r, _ in near), default=100.0)

    def _best(self, candidate: str) -> tuple[TermRule, float] | None:
        if candidate in self.cache:
            return self.cache[candidate]
        result = None
        near, texts, lowest = self._near(len(candidate))
        if near and candidate not in self.known and len(candidate) >= 4:
            # One call scores the candidate against every near target (rapidfuzz's C loop, the
            # same fuzz.ratio); what passes the lowest threshold is judged in the targets' order.
            hits = process.extract(candidate, texts, scorer=fuzz.ratio, score_cutoff=min(lowest, 100.0),
                                   limit=None)
            for _text, score, pos in sorted(hits, key=lambda h: h[2]):
                rule = near[pos][1]
                if score >= rule.threshold and (result is None or score > result[1]):
                    result = (rule, round(score, 1))
        self.cache[candidate] = result
        return result

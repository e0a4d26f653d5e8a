"""A rule's footprint: what text it can react to, so a re-audit knows which documents an edited
rule can touch (audit/reaudit.py).

A footprint errs on the side of touching: a document it names may turn out to hold no finding
of the rule, but a document it leaves out holds nothing the rule (or its rivals for the same
words) would report differently. It holds:

- ``tokens``: each literal form (and derived plural) as the matcher sees it — its tokens'
  ORTH, LOWER or NORM strings; a document holding none of some token cannot match the form;
- ``patterns``: regular-expression forms, searched in the region texts;
- ``urls``: forms looked for inside URL and e-mail tokens;
- ``fuzzy``: near-miss targets and threshold, compared with the windows each document scored
  (audit/fuzzy.py records them): a document none of whose windows comes near the targets is one
  where the rule finds, and takes from its rivals, nothing;
- ``facts``: a fact rule's context phrase starts (sentence scope reads a region only where one
  occurs), whether it reads every region (block and section scope) and JSON-LD.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from spacy.language import Language

from audit.fuzzy import compact
from audit.patterns import timed
from audit.rules.base import Rule
from audit.rules.fact import FactRule
from audit.rules.term import TermRule

_ATTR = {"ORTH": "orth_", "LOWER": "lower_", "NORM": "norm_"}


@dataclass
class Footprint:
    tokens: list[tuple[str, list[str]]] = field(default_factory=list)  # (attr, token strings)
    patterns: list[tuple[str, int]] = field(default_factory=list)  # (regex, flags)
    urls: list[str] = field(default_factory=list)
    fuzzy: tuple[list[str], float] | None = None  # (compact targets, threshold)
    fact_starts: list[str] = field(default_factory=list)
    fact_anywhere: bool = False
    fact_jsonld: bool = False
    fact: bool = False  # a fact rule's: it touches what fact rules find, never what text rules find
    fact_type: str = ""  # its value type: it competes only with fact rules of the same type

    def reads_text(self) -> bool:
        """Whether finding what it touches needs the region texts (not only the words)."""
        return bool(self.patterns or self.fact_starts or self.fact_jsonld)

    def to_json(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "patterns": self.patterns, "urls": self.urls, "fuzzy": self.fuzzy,
                "fact_starts": self.fact_starts, "fact_anywhere": self.fact_anywhere,
                "fact_jsonld": self.fact_jsonld, "fact": self.fact, "fact_type": self.fact_type}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Footprint:
        fp = cls(**d)
        fp.tokens = [(a, list(t)) for a, t in fp.tokens]
        fp.patterns = [(p, int(f)) for p, f in fp.patterns]
        fp.fuzzy = (list(fp.fuzzy[0]), float(fp.fuzzy[1])) if fp.fuzzy else None
        return fp


def footprint(rule: Rule, nlp: Language) -> Footprint:
    """What ``rule`` can react to (see the module's docstring)."""
    from audit.match import _forms_of  # the matcher's own reading of a rule's forms

    fp = Footprint()
    if isinstance(rule, FactRule):
        fp.fact, fp.fact_type = True, rule.type
        if rule.context_re is not None:
            fp.fact_starts = list(rule.context_starts)
            fp.fact_anywhere = rule.context_scope != "sentence"
        fp.fact_jsonld = bool(rule.jsonld)
        return fp
    for role, form, attr in _forms_of(rule):
        if getattr(form, "pattern", False):
            compiled = form.compiled(getattr(rule, "ignorecase", True))
            fp.patterns.append((compiled.pattern, int(compiled.compiled.flags)))
            continue
        texts = [str(form)]
        if isinstance(rule, TermRule):
            texts += [text for _, text in rule.plurals(role, form)]
            if rule.in_urls:
                fp.urls.append(form.lower().replace(" ", ""))
        for text in texts:
            fp.tokens.append((attr, [getattr(t, _ATTR[attr]) for t in nlp.make_doc(text)]))
    if isinstance(rule, TermRule) and rule.fuzzy:
        fp.fuzzy = ([compact(f) for _, f in rule.forms()], float(rule.threshold))
    return fp


class _Vocabulary:
    """The crawl's words, with the lookups footprints need, each made when first asked."""

    def __init__(self, words: list[str]):
        self.words = words

    @functools.cached_property
    def exact(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.words):
            out[w].append(i)
        return out

    @functools.cached_property
    def lower(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.words):
            out[w.lower()].append(i)
        return out

    def matching(self, attr: str, token: str) -> list[int]:
        """The words a token of a form matches on ``attr`` (ORTH and NORM exactly, LOWER in any
        case)."""
        return (self.lower if attr == "LOWER" else self.exact).get(token, [])


class _Documents:
    """Every document's word indices in one array, so "which documents hold any of these words"
    is one vectorised look-up instead of one per document."""

    def __init__(self, words: dict[int, np.ndarray], size: int):
        self.ids = [d for d, w in words.items() if len(w)]  # a document with no words holds none
        arrays = [words[d] for d in self.ids]
        self.all = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
        self.offsets = np.cumsum([0] + [len(a) for a in arrays[:-1]]).astype(np.int64)
        self.size = size

    def having(self, indices: list[int]) -> set[int]:
        if not indices or not self.ids:
            return set()
        mask = np.zeros(self.size, dtype=bool)
        mask[indices] = True
        hits = np.logical_or.reduceat(mask[self.all], self.offsets)
        return {self.ids[k] for k in np.flatnonzero(hits).tolist()}


def near_windows(windows: dict[int, list[str]], targets: list[str], threshold: float) -> set[int]:
    """The documents with a near-miss window that scores ``threshold`` against a target, compared
    as audit/fuzzy.py compares them (lengths within 2, at least 4 letters)."""
    every = sorted({w for ws in windows.values() for w in ws if len(w) >= 4})
    if not every or not targets:
        return set()
    scores = process.cdist(every, targets, scorer=fuzz.ratio, dtype=np.float64)
    length = np.array([len(w) for w in every])[:, None]
    comparable = np.abs(length - np.array([len(t) for t in targets])[None, :]) <= 2
    near = {every[k] for k in np.flatnonzero(((scores >= threshold) & comparable).any(axis=1)).tolist()}
    # A window that is a target (or its plural) is not scored while the target is known: when
    # the target goes, it is, against every other rule's, whatever this rule's threshold.
    named = set(targets) | {t + "s" for t in targets}
    near.update(w for w in every if w in named)
    return {d for d, ws in windows.items() if near.intersection(ws)}


def touched(prints: list[Footprint], vocab: list[str], words: dict[int, np.ndarray],
            texts: Callable[[], Iterator[tuple[int, str, list[tuple[str, str]]]]],
            windows: Callable[[], dict[int, list[str]]]) -> set[int]:
    """The documents (the keys of ``words``, each document's word indices into ``vocab``) that
    any footprint can touch; ``texts`` yields (id, touchpoint, [(region name, text)]) and
    ``windows`` gives each document's near-miss windows, each read only when a footprint needs it."""
    vocabulary = _Vocabulary(vocab)
    documents = _Documents(words, len(vocab))
    out: set[int] = set()
    scored: dict[int, list[str]] | None = None
    for fp in prints:
        if fp.fact_anywhere:
            return set(words)
        for attr, tokens in fp.tokens:
            docs: set[int] | None = None
            for token in dict.fromkeys(tokens):
                found = documents.having(vocabulary.matching(attr, token))
                docs = found if docs is None else docs & found
                if not docs:
                    break
            out |= docs or set()
        for form in fp.urls:
            out |= documents.having([i for i, w in enumerate(vocab) if form in w.lower()])
        if fp.fuzzy:
            scored = scored if scored is not None else windows()
            out |= near_windows(scored, *fp.fuzzy)
    if any(fp.reads_text() for fp in prints):
        patterns = [timed(p, f) for fp in prints for p, f in fp.patterns]
        starts = [s for fp in prints for s in fp.fact_starts]
        jsonld = any(fp.fact_jsonld for fp in prints)
        for doc_id, _, regions in texts():
            if doc_id in out:
                continue
            for name, text in regions:
                lower = text.lower()
                if (jsonld and name == "jsonld") or any(p.search(text) for p in patterns) or (
                        starts and (len(lower) != len(text) or any(s in lower for s in starts))):
                    out.add(doc_id)
                    break
    return out

"""One pass over a document for every term, language and consistency pattern at once.

Literal forms compile once into three spaCy PhraseMatchers — ORTH for forms that match only as
written, LOWER for names in any case, NORM (the lower-cased lemma) for phrasing — each form
tokenized exactly as the text is (so "Acme, Inc." matches "Acme, Inc."), so the cost per
document stays nearly flat as rule sets grow. Pattern forms are regular expressions run over the
text, each search time-boxed. Overlaps resolve the way a reader would: the longest span wins,
then the earliest; every rule whose pattern matched that exact span is kept, and each rule's
kind judges its own match.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from audit.errors import Problem
from audit.nlp import forget_patterns
from audit.patterns import TimedPattern
from audit.rules.base import Rule
from audit.rules.consistency import ConsistencyRule
from audit.rules.forms import case_blind
from audit.rules.language import LanguageRule
from audit.rules.term import TermRule
from audit.text import normalize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Key:
    """What one pattern stands for: a rule, the role of the form in it, and the form.

    ``plural`` is "" for the form as listed, else how the matched text was derived from it
    (the suffix "s"/"es", or "plural" for a name's own plural): a listed form beats a derived one.
    """

    rule: int  # index into Matcher.rules
    role: str  # preferred, variant, retired (term); avoid (language); alternative (consistency)
    form: str
    plural: str = ""


@dataclass
class Hit:
    """A matched span and every pattern key that matched it.

    ``start``/``end`` are character offsets into the region text; they differ from the span's
    for forms found inside a URL or e-mail token (the span is then the whole token) and for
    patterns that match part of a token. ``matches`` holds, per key, the pattern's match (for
    $1.. in a replacement).
    """

    span: Span
    keys: list[Key]
    start: int = -1
    end: int = -1
    text: str = ""
    matches: dict[Key, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start, self.end = self.span.start_char, self.span.end_char
            self.text = self.span.text


class Matcher:
    """Every pattern of every rule, matched in one pass per document."""

    def __init__(self, rules: list[Rule], nlp: Language):
        self.rules = rules
        self.nlp = nlp
        self.matchers = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("ORTH", "LOWER", "NORM")}
        self.keys: dict[int, list[Key]] = defaultdict(list)
        self.url_forms: list[tuple[Key, str]] = []  # in_urls term forms, checked inside URL tokens
        self.patterns: list[tuple[Key, TimedPattern, str]] = []  # (key, pattern, needle)
        literal: dict[tuple[str, str], list[Key]] = defaultdict(list)
        for i, rule in enumerate(rules):
            for role, form, attr in _forms_of(rule):
                key = Key(i, role, form)
                if getattr(form, "pattern", False):
                    self.patterns.append((key, form.compiled(getattr(rule, "ignorecase", True)),
                                          form.needle()))
                    continue
                literal[(attr, form)].append(key)
                if isinstance(rule, TermRule):
                    for how, text in rule.plurals(role, form):
                        literal[(attr, text)].append(Key(i, role, form, how))
                    if rule.in_urls:
                        self.url_forms.append((key, form.lower().replace(" ", "")))
        for (attr, text), keys in literal.items():
            label = f"{attr}:{text}"
            key_id = self.nlp.vocab.strings.add(label)
            self.keys[key_id].extend(keys)
            self.matchers[attr].add(label, [self.nlp.make_doc(str(text))])
        self.used = [m for m in self.matchers.values() if len(m)]  # a pass only where forms are
        forget_patterns(nlp)

    def __call__(self, doc: Doc) -> list[Hit]:
        spans: dict[tuple[int, int], list[Key]] = defaultdict(list)
        for matcher in self.used:
            for key_id, start, end in matcher(doc):
                for key in self.keys[key_id]:
                    if key not in spans[(start, end)]:
                        spans[(start, end)].append(key)
        found: dict[tuple[int, int], tuple[int, int, str, dict[Key, Any]]] = {}
        text = doc.text if self.patterns else ""  # (Doc.text joins every token: once)
        folded = text.casefold()
        starts: list[int] = []
        for key, pattern, needle in self.patterns:
            if needle and needle not in folded:
                continue  # every match starts with text this one lacks
            for m in _search(pattern, text):
                starts = starts or [t.idx for t in doc]
                se = _token_range(starts, m.start(), m.end())
                if se is None:
                    continue
                if key not in spans[se]:
                    spans[se].append(key)
                exact = found.setdefault(se, (m.start(), m.end(), m.group(0), {}))
                exact[3][key] = m
        taken = [False] * len(doc)
        hits: list[Hit] = []
        for (start, end) in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):
            if any(taken[start:end]):
                continue
            for t in range(start, end):
                taken[t] = True
            keys = spans[(start, end)]
            if any(not k.plural for k in keys):
                # A form some rule lists beats a plural derived from another rule's form: one
                # span, one finding, from the rule that names this text.
                keys = [k for k in keys if not k.plural]
            exact = found.get((start, end))
            matches = exact[3] if exact else {}
            if exact and all(k in matches for k in keys):  # only patterns: their own offsets
                hits.append(Hit(doc[start:end], keys, exact[0], exact[1], exact[2], matches))
            else:
                hits.append(Hit(doc[start:end], keys, matches=matches))
        hits.sort(key=lambda h: h.span.start)
        if self.url_forms:
            hits += self._in_urls(doc)
        return hits

    def _in_urls(self, doc: Doc) -> list[Hit]:
        """Forms inside URL and e-mail tokens, for the rules that ask for it."""
        out = []
        for token in doc:
            if not (token.like_url or token.like_email):
                continue
            for key, form in self.url_forms:
                at = token.lower_.find(form)
                if at >= 0:
                    start = token.idx + at
                    out.append(Hit(doc[token.i:token.i + 1], [key], start, start + len(form),
                                   token.text[at:at + len(form)]))
        return out


def _forms_of(rule: Rule) -> list[tuple[str, str, str]]:
    """(role, form, PhraseMatcher attribute) of every form of a rule."""
    def attr(form: str, default: bool, lemma: bool) -> str:
        if not case_blind(form, default):
            return "ORTH"
        return "NORM" if lemma else "LOWER"

    if isinstance(rule, TermRule):
        return [(role, form, attr(form, rule.ignorecase, False)) for role, form in rule.forms()]
    if isinstance(rule, LanguageRule):
        return [("avoid", f, attr(f, rule.ignorecase, rule.lemma)) for f in rule.avoid]
    if isinstance(rule, ConsistencyRule):
        return [("alternative", f, attr(f, rule.ignorecase, rule.lemma)) for f in rule.alternatives]
    return []


def _token_range(starts: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The tokens covering characters ``[start, end)`` (widened to whole tokens)."""
    first = bisect_right(starts, start) - 1
    last = bisect_left(starts, end)
    return (max(first, 0), last) if last > max(first, 0) else None


def _search(pattern: TimedPattern, text: str) -> list[Any]:
    """Every match of a pattern in a text, or none when the search runs out of time."""
    return pattern.finditer(text)


def forms_that_cannot_match(rules: list[Rule], nlp: Language) -> list[Problem]:
    """Every literal form that would not match itself in a sentence, and every pattern that
    matches empty text, as ``file:line:col`` problems (``touchaudit rules check``): a form that
    can never match makes a rule that silently does nothing."""
    matcher = Matcher(rules, nlp)
    problems: list[Problem] = []
    probes: list[tuple[int, str, str]] = []  # (rule index, form, sentence)
    for i, rule in enumerate(rules):
        for _role, form, _attr in _forms_of(rule):
            if getattr(form, "pattern", False):
                if _search(form.compiled(True), "") or form.compiled(True).compiled.fullmatch(""):
                    problems.append(_problem(rule, form, f"pattern {str(form)!r} matches empty text, "
                                             "so it would report nothing useful; make it match words"))
                continue
            if "\n" in form or "\r" in form:
                problems.append(_problem(rule, form, f"form {str(form)!r} holds a line break, and no "
                                         "match spans two lines (blocks) of a page"))
                continue
            # As stored text would hold it: white space folded (audit/text.py).
            probes.append((i, form, normalize(f"We wrote {form} here.")))
    docs = nlp.pipe(sentence for _, _, sentence in probes)
    for (i, form, sentence), doc in zip(probes, docs, strict=True):
        start, end = len("We wrote "), len(sentence) - len(" here.")
        if not any(h.start == start and h.end == end and any(k.rule == i and k.form == form for k in h.keys)
                   for h in matcher(doc)):
            problems.append(_problem(rules[i], form, f"form {str(form)!r} cannot match itself in a "
                                     "sentence as stored text holds it (tokens, white space folded to one "
                                     "space); write it as the text does, or as a {pattern: ...}"))
    return problems


def _problem(rule: Rule, form: str, message: str) -> Problem:
    file, line, col = rule.source.rsplit(":", 2)
    return Problem(file, getattr(form, "line", 0) or int(line), getattr(form, "col", 0) or int(col),
                   f"rule {rule.id!r}: {message}")

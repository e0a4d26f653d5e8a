"""One pass over a document for every term, language and consistency pattern at once.

All patterns compile once into two spaCy PhraseMatchers (LOWER for names, NORM = lower-cased
lemma for phrasing), so the cost per document stays nearly flat as rule sets grow. Overlaps
resolve the way a reader would: the longest span wins, then the earliest; every rule whose
pattern matched that exact span is kept, and each rule's kind judges its own match.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from audit.rules.base import Rule
from audit.rules.consistency import ConsistencyRule
from audit.rules.language import LanguageRule
from audit.rules.term import TermRule


@dataclass(frozen=True)
class Key:
    """What one pattern stands for: a rule, the role of the form in it, and the form."""

    rule: int  # index into Matcher.rules
    role: str  # preferred, variant, retired (term); avoid (language); alternative (consistency)
    form: str


@dataclass
class Hit:
    """A matched span and every pattern key that matched it.

    ``start``/``end`` are character offsets into the region text; they differ from the span's
    only for forms found inside a URL or e-mail token (the span is then the whole token).
    """

    span: Span
    keys: list[Key]
    start: int = -1
    end: int = -1
    text: str = ""

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start, self.end = self.span.start_char, self.span.end_char
            self.text = self.span.text


class Matcher:
    """Every pattern of every rule, matched in one pass per document."""

    def __init__(self, rules: list[Rule], nlp: Language):
        self.rules = rules
        self.nlp = nlp
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.norm = PhraseMatcher(nlp.vocab, attr="NORM")
        self.keys: dict[int, list[Key]] = defaultdict(list)
        self.url_forms: list[tuple[Key, str]] = []  # in_urls term forms, checked inside URL tokens
        lower: dict[str, list[Key]] = defaultdict(list)
        norm: dict[str, list[Key]] = defaultdict(list)
        for i, rule in enumerate(rules):
            if isinstance(rule, TermRule):
                for role, form in rule.forms():
                    for text in (form, form + "s", form + "es"):
                        lower[text.lower()].append(Key(i, role, form))
                    if rule.in_urls:
                        self.url_forms.append((Key(i, role, form), form.lower().replace(" ", "")))
            elif isinstance(rule, LanguageRule):
                for form in rule.avoid:
                    (norm if rule.lemma else lower)[form.lower()].append(Key(i, "avoid", form))
            elif isinstance(rule, ConsistencyRule):
                for form in rule.alternatives:
                    (norm if rule.lemma else lower)[form.lower()].append(
                        Key(i, "alternative", form))
        self._add(self.lower, lower, lemmatize=False)
        self._add(self.norm, norm, lemmatize=True)

    def _add(self, matcher: PhraseMatcher, patterns: dict[str, list[Key]], lemmatize: bool) -> None:
        texts = list(patterns)
        docs = self.nlp.pipe(texts) if lemmatize else (self.nlp.make_doc(t) for t in texts)
        for text, doc in zip(texts, docs, strict=True):
            label = ("N:" if lemmatize else "L:") + text
            key_id = self.nlp.vocab.strings.add(label)
            self.keys[key_id].extend(patterns[text])
            matcher.add(label, [doc])

    def __call__(self, doc: Doc) -> list[Hit]:
        spans: dict[tuple[int, int], list[Key]] = defaultdict(list)
        for key_id, start, end in [*self.lower(doc), *self.norm(doc)]:
            for key in self.keys[key_id]:
                if key not in spans[(start, end)]:
                    spans[(start, end)].append(key)
        taken = [False] * len(doc)
        hits: list[Hit] = []
        for (start, end) in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):
            if any(taken[start:end]):
                continue
            for t in range(start, end):
                taken[t] = True
            hits.append(Hit(doc[start:end], spans[(start, end)]))
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

"""Apply a rule set to a stored crawl: one pass per document, then the cross-document step.

Documents stream from the store in batches and their regions are tokenized with ``nlp.pipe``;
the shared Matcher finds every pattern at once and each rule kind judges its own matches.
Consistency and fact rules only collect during the pass and make their findings at the end, so
no document is held in memory after it has been audited.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.attrs import NORM, ORTH
from spacy.tokens import Doc

from audit.chrome import Chrome, Layout, Place, block_digest
from audit.documents import Document, Region
from audit.findings import (
    Finding,
    Location,
    Observation,
    consistency_fingerprint,
    repeated_fingerprint,
    text_fingerprint,
)
from audit.fuzzy import NearMisses
from audit.match import Hit, Key, Matcher
from audit.nlp import has_tags, parse, pipeline
from audit.rules import RuleSet
from audit.rules.base import Rule, lower_severity
from audit.rules.consistency import ConsistencyRule
from audit.rules.fact import FactCollector
from audit.rules.forms import case_blind
from audit.rules.language import LanguageRule
from audit.rules.term import TermRule
from audit.text import grammar_place, sentence_around, starts_sentence

logger = logging.getLogger(__name__)


def location(doc: Document, region: Region, start: int, end: int, place: Place | None = None) -> Location:
    snippet, snippet_start = sentence_around(region.text, start, end)
    loc = Location(doc.touchpoint, doc.url, region.name, start, end, region.text[start:end],
                   snippet, snippet_start, doc.title)
    if place is not None:
        loc.headings = list(place.block.headings)
        loc.pages = place.pages
        if place.scope != region.name:
            loc.chrome = place.scope
    return loc


@dataclass
class Repeat:
    """A finding inside a block repeated across pages, made once, and the pages it is on."""

    finding: Finding
    pages: list[str] = field(default_factory=list)


@dataclass
class Share:
    """What auditing some documents produced on its own: their findings in order, and the state
    the cross-document step reads (blocks repeated across pages, consistency uses, fact
    observations). ``Auditor.merge`` replays it, so shares merged in document order leave what
    one pass over all of them would have: a parallel worker's share, or one document's results
    kept for a re-audit (audit/reaudit.py)."""

    findings: list[Finding]
    repeats: list[tuple[tuple[str, ...], Any]]
    uses: list[tuple[str, str, tuple[str, ...] | None, Location]]
    observations: list[Observation]
    documents: int
    words: int
    observed_in: list[int] = field(default_factory=list)  # per observation, its region's index


Parts = tuple[bool, "bool | frozenset[str]"]  # (text rules?, fact rules: all, or these value types)


@dataclass
class Apart:
    """One document audited on its own (``Auditor.audit_apart``): its Share, the ORTH and NORM
    hashes of its words, and the near-miss windows it scored."""

    doc: Document
    share: Share
    words: np.ndarray  # uint64 hashes, each once
    windows: set[str]


@dataclass
class _Usage:
    """What a consistency rule saw: per alternative, its locations."""

    places: dict[str, list[Location]] = field(default_factory=lambda: defaultdict(list))


class Auditor:
    """Holds the compiled rules; feed it documents, then call ``finish``."""

    def __init__(self, ruleset: RuleSet, model: str | None = None, phone_region: str = "US",
                 chrome: Chrome | None = None):
        self.rules = ruleset.rules
        self.chrome = chrome or Chrome()
        self.nlp = pipeline(model)
        self.tagged = has_tags(self.nlp)
        self.text_rules = [r for r in self.rules if isinstance(r, (TermRule, LanguageRule, ConsistencyRule))]
        self.fuzzy = NearMisses([r for r in self.rules if isinstance(r, TermRule) and r.fuzzy])
        self.facts = FactCollector(ruleset.of_kind("fact"), phone_region)
        self.usage_log: list[tuple[str, str, tuple[str, ...] | None, Location]] | None = None
        self.consistency = [r.id for r in self.rules if isinstance(r, ConsistencyRule)]
        self.begin_pass()

    @functools.cached_property
    def matcher(self) -> Matcher:
        """Every text rule's patterns, compiled when a document is first audited: a re-audit that
        keeps every document's results (audit/reaudit.py) never needs them."""
        return Matcher(self.text_rules, self.nlp)

    def begin_pass(self) -> None:
        """Forget what a pass over documents gathered for ``finish``: repeated blocks, consistency
        uses, fact observations, counts. A parallel audit's worker starts each share here
        (audit/parallel.py), so a field added here is one the workers hand back or start fresh."""
        self.repeats: dict[tuple[str, ...], Repeat] = {}
        self.usage: dict[str, _Usage] = {rid: _Usage() for rid in self.consistency}
        self.usage_seen: set[tuple[str, ...]] = set()
        if self.usage_log is not None:  # each use, in order, when a worker must hand them back
            self.usage_log = []
        self.facts.observations = []
        self.documents = 0
        self.words = 0

    # -- the per-document pass ------------------------------------------------------------
    def audit(self, documents: Iterable[Document], batch: int = 64) -> Iterator[Finding]:
        """Findings of every document, in order; the regions of ``batch`` documents are
        tokenized together."""
        pending: list[Document] = []
        for doc in documents:
            pending.append(doc)
            if len(pending) >= batch:
                yield from self._audit_batch(pending)
                pending = []
        if pending:
            yield from self._audit_batch(pending)

    def audit_apart(self, documents: Iterable[Document], batch: int = 64,
                    parts: Callable[[Document], Parts] | None = None) -> Iterator[Apart]:
        """Each document audited on its own: its Share (what it alone produced), the ORTH and
        NORM hashes of its words and the near-miss windows it scored (what a rule must name to
        touch it). ``parts`` says, per document, whether to run the text rules and which fact
        rules (True: all, the default; or the value types to read); a document without the text
        part is not tokenized, and its share holds no word count, words or windows. Each fact
        statement's region (its index in the document) is in the share's ``observed_in``. This
        auditor's own pass is left as it was: ``merge`` each share to count it."""
        pending: list[Document] = []
        for doc in documents:
            pending.append(doc)
            if len(pending) >= batch:
                yield from self._apart_batch(pending, parts)
                pending = []
        if pending:
            yield from self._apart_batch(pending, parts)

    def _apart_batch(self, docs: list[Document],
                     parts: Callable[[Document], Parts] | None) -> Iterator[Apart]:
        runs = {id(d): parts(d) if parts is not None else (True, True) for d in docs}
        pairs = [(d, r) for d in docs for r in d.regions if r.text and runs[id(d)][0]]
        parsed = iter(parse(self.nlp, (r.text for _, r in pairs), batch_size=256))
        tokens: dict[int, Doc] = {}
        for (_, region), sdoc in zip(pairs, parsed, strict=True):
            tokens[id(region)] = sdoc
        for doc in docs:
            text, facts = runs[id(doc)]
            kept = self._pass_state()
            self.usage_log = []
            self.begin_pass()
            layouts = self.chrome.layout(doc)
            scope: dict[int, bool] = {}
            words: list[np.ndarray] = []
            findings: list[Finding] = []
            self.documents = 1
            self.fuzzy.windows = set()
            observed_in: list[int] = []
            for index, region in enumerate(doc.regions):
                if not region.text:
                    continue
                sdoc = tokens.get(id(region))
                if sdoc is not None:
                    self.words += len(sdoc)
                    words.append(sdoc.to_array([ORTH, NORM]).ravel())
                findings += self.audit_region(doc, region, sdoc, scope, layouts.get(region.name), text, facts)
                observed_in += [index] * (len(self.facts.observations) - len(observed_in))
            share = Share(findings, list(self.repeats.items()), self.usage_log, self.facts.observations,
                          self.documents, self.words, observed_in)
            windows, self.fuzzy.windows = self.fuzzy.windows, None
            self._restore_pass(kept)
            yield Apart(doc, share, np.unique(np.concatenate(words)) if words else np.zeros(0, np.uint64),
                        windows)

    def _pass_state(self) -> tuple[Any, ...]:
        return (self.repeats, self.usage, self.usage_seen, self.usage_log, self.facts.observations,
                self.documents, self.words)

    def _restore_pass(self, state: tuple[Any, ...]) -> None:
        (self.repeats, self.usage, self.usage_seen, self.usage_log, self.facts.observations,
         self.documents, self.words) = state

    def merge(self, share: Share) -> None:
        """Replay a share's cross-document state, as this auditor's own pass would have left it."""
        for key, kept in share.repeats:
            mine = self.repeats.get(key)
            if mine is None:
                self.repeats[key] = kept
                continue
            for url in kept.pages:
                if not mine.pages or mine.pages[-1] != url:
                    mine.pages.append(url)
        for rule_id, form, block, loc in share.uses:
            self.use(rule_id, form, block, loc)
        self.facts.observations.extend(share.observations)
        self.documents += share.documents
        self.words += share.words

    def _audit_batch(self, docs: list[Document]) -> Iterator[Finding]:
        pairs = [(d, r) for d in docs for r in d.regions if r.text]
        parsed = parse(self.nlp, (r.text for _, r in pairs), batch_size=256)
        current: Document | None = None
        scope: dict[int, bool] = {}
        layouts: dict[str, Layout] = {}
        for (doc, region), sdoc in zip(pairs, parsed, strict=True):
            if doc is not current:
                current, scope = doc, {}
                layouts = self.chrome.layout(doc)
                self.documents += 1
            self.words += len(sdoc)
            yield from self.audit_region(doc, region, sdoc, scope, layouts.get(region.name))

    def audit_region(self, doc: Document, region: Region, sdoc: Doc | None,
                     scope: dict[int, bool] | None = None,
                     layout: Layout | None = None, text: bool = True,
                     facts: bool | frozenset[str] = True) -> Iterator[Finding]:
        """Findings of one region; those inside a block repeated across pages are kept back and
        made once, with their pages, by ``finish``. ``text`` and ``facts`` choose the parts run:
        the text rules (terms, language, consistency, near-misses: they need ``sdoc``, the
        region's tokens) and the fact rules (they read the text itself): all of them, or those of
        the value types named."""
        scope = {} if scope is None else scope
        layout = layout if layout is not None else Layout.flat(region)
        lower_text = region.text.lower()
        seen: Counter[tuple[str, str]] = Counter()
        taken: set[int] = set()
        for hit in self.matcher(sdoc) if text and sdoc is not None else ():
            taken.update(range(hit.span.start, hit.span.end))
            judged: set[int] = set()
            start, end = hit.start, hit.end
            place = layout.at(start)
            scopes = layout.where(place, start, end)
            for key in hit.keys:
                if key.rule in judged:
                    continue  # one verdict per rule and span, whichever of its forms matched
                judged.add(key.rule)
                rule = self.matcher.rules[key.rule]
                if not self._in_scope(rule, key.rule, doc, scopes, scope, place):
                    continue
                if region.code and region.in_code(start, end):
                    break  # never inside code samples
                if rule.exceptions and rule.excepted(region.text, start, end, lower_text):
                    continue
                if rule.allow_in and rule.allowed_in(sentence_around(region.text, start, end)[0]):
                    continue
                finding = self._judge(rule, hit, key, doc, region, seen, place, scopes)
                if finding is not None:
                    yield from self._once(finding, doc, place)
        if self.fuzzy and text and sdoc is not None:
            if region.code:
                taken.update(t.i for t in sdoc if region.in_code(t.idx, t.idx + len(t)))
            for miss in self.fuzzy.find(sdoc, taken):
                rule = miss.rule
                span = sdoc[miss.start:miss.end]
                place = layout.at(span.start_char)
                scopes = layout.where(place, span.start_char, span.end_char)
                if not self._in_scope(rule, self.rules.index(rule) + 10**6, doc, scopes, scope, place):
                    continue
                loc = location(doc, region, span.start_char, span.end_char, place)
                seen[(rule.id + "~", loc.text.lower())] += 1
                yield from self._once(Finding(
                    kind="term", rule=rule.id, severity=lower_severity(rule.severity),
                    message=f"'{loc.text}' looks like '{rule.preferred}' (similarity {miss.score:g}%); "
                            f"write '{rule.preferred}' if it is meant",
                    locations=[loc], expected=rule.preferred,
                    fingerprint=text_fingerprint(rule.id + "~", loc, seen[(rule.id + "~", loc.text.lower())]),
                    extra={"problem": "near_miss", "score": miss.score},
                ), doc, place)
        if self.facts and facts:
            self.facts.observe(
                doc, region, sdoc, types=None if facts is True else facts,
                # Dates make a fact's statements history (observed, not compared), not unseen.
                scope_ok=lambda r: r.applies_to(doc.touchpoint, doc.url),
                place_ok=lambda r, s, e: r.applies_in(layout.where(layout.at(s), s, e)),
                place_at=lambda s: layout.at(s))

    def use(self, rule_id: str, form: str, block: tuple[str, ...] | None, loc: Location) -> None:
        """A consistency rule's alternative used at ``loc``; in a block repeated across pages
        (``block`` names it) it counts once. Logged, so a parallel audit can replay it."""
        if self.usage_log is not None:
            self.usage_log.append((rule_id, form, block, loc))
        if block is not None:
            if block in self.usage_seen:
                return
            self.usage_seen.add(block)
        self.usage[rule_id].places[form].append(loc)

    def _in_scope(self, rule: Rule, key: int, doc: Document, scopes: frozenset[str] | None,
                  scope: dict[int, bool], place: Place | None = None) -> bool:
        """Whether the rule audits this document (cached per document) and these scopes. Text in
        a section headed by a date (a changelog entry) is as old as its heading says."""
        dated = place.block.date if place is not None else None
        if dated and (rule.after or rule.before):
            return rule.applies_to(doc.touchpoint, doc.url, dated) and (
                scopes is None or rule.applies_in(scopes))
        if key not in scope:
            scope[key] = rule.applies_to(doc.touchpoint, doc.url, doc.date)
        return scope[key] and (scopes is None or rule.applies_in(scopes))

    def _once(self, finding: Finding, doc: Document, place: Place | None) -> Iterator[Finding]:
        """Yield a finding, or keep it back when its block repeats across pages: one finding
        for the block, whichever page it is read on (``finish`` makes it)."""
        if place is None or not place.repeated:
            yield finding
            return
        loc = finding.locations[0]
        offset = loc.start - place.start
        key = (finding.rule, str(finding.extra.get("problem")), doc.touchpoint, place.key, str(offset),
               loc.text)
        kept = self._repeats_of(key, finding, place, offset)
        if not kept.pages or kept.pages[-1] != doc.url:
            kept.pages.append(doc.url)

    def _repeats_of(self, key: tuple[str, ...], finding: Finding, place: Place, offset: int) -> Repeat:
        kept = self.repeats.get(key)
        if kept is None:
            loc = finding.locations[0]
            marker = finding.rule + ("~" if finding.extra.get("problem") == "near_miss" else "")
            finding.fingerprint = repeated_fingerprint(marker, loc, block_digest(place.key), offset)
            kept = self.repeats[key] = Repeat(finding)
        return kept

    def _judge(self, rule: Rule, hit: Hit, key: Key, doc: Document, region: Region,
               seen: Counter[tuple[str, str]], place: Place | None = None,
               scopes: frozenset[str] = frozenset()) -> Finding | None:
        span, form = hit.span, key.form
        if isinstance(rule, ConsistencyRule):
            block = ((rule.id, form, doc.touchpoint, place.key, str(hit.start - place.start))
                     if place is not None and place.repeated else None)
            self.use(rule.id, form, block, location(doc, region, hit.start, hit.end, place))
            return None
        if isinstance(rule, TermRule):
            roles = [(k.role, k.form, k.plural) for k in hit.keys if self.matcher.rules[k.rule] is rule]
            verdict = rule.judge(hit.text, roles, grammar_place(region, hit.start, hit.end, scopes))
            if verdict is None:
                return None
            problem, message, expected = verdict
        elif isinstance(rule, LanguageRule):
            where = ("button" if "button" in scopes else
                     region.name if region.name in ("heading", "title") else "body")
            said = rule.judge(span, hit.text, form, self.tagged, hit.matches.get(key),
                              starts_sentence(region.text, hit.start), where,
                              case_blind(form, rule.ignorecase))
            if said is None:
                return None
            (message, expected), problem = said, "avoid"
        else:
            return None
        loc = location(doc, region, hit.start, hit.end, place)
        seen[(rule.id, loc.text.lower())] += 1
        return Finding(
            kind="term" if isinstance(rule, TermRule) else "language",
            rule=rule.id, severity=rule.severity, message=message, locations=[loc],
            expected=expected,
            fingerprint=text_fingerprint(rule.id, loc, seen[(rule.id, loc.text.lower())]),
            extra={"problem": problem},
        )

    # -- the cross-document step ----------------------------------------------------------
    def finish(self) -> list[Finding]:
        """Consistency and fact findings, over everything audited."""
        out: list[Finding] = []
        for kept in self.repeats.values():
            kept.finding.extra["pages"] = kept.pages
            out.append(kept.finding)
        for rule in self.rules:
            if isinstance(rule, ConsistencyRule):
                finding = self._consistency(rule)
                if finding is not None:
                    out.append(finding)
        out.extend(self.facts.finish())
        return out

    def _consistency(self, rule: ConsistencyRule) -> Finding | None:
        places = self.usage[rule.id].places
        used = [a for a in rule.alternatives if places.get(a)]
        if not used or (len(used) == 1 and (rule.prefer is None or used[0] == rule.prefer)):
            return None
        counts = {a: len(places[a]) for a in used}
        chosen = rule.prefer or max(used, key=lambda a: (counts[a], -rule.alternatives.index(a)))
        by_tp = {a: dict(sorted(Counter(loc.touchpoint for loc in places[a]).items())) for a in used}

        def describe(a: str) -> str:
            where = ", ".join(f"{tp} {n}" for tp, n in by_tp[a].items())
            return f"'{a}' {counts[a]}× ({where})"

        summary = "; ".join(describe(a) for a in sorted(used, key=lambda a: -counts[a]))
        message = rule.format("Use one of {alternatives} everywhere, preferably '{expected}': {found}",
                              alternatives=" / ".join(f"'{a}'" for a in rule.alternatives),
                              expected=chosen, found=summary)
        others = [loc for a in used if a != chosen for loc in places[a]]
        return Finding(
            kind="language", rule=rule.id, severity=rule.severity, message=message,
            locations=others, expected=chosen,
            fingerprint=consistency_fingerprint(rule.id, used),
            extra={"problem": "inconsistent", "usage": by_tp, "counts": counts},
        )


class Tally:
    """Counts by severity, kind, touchpoint and status (ignored findings count only there)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {
            k: Counter() for k in ("severity", "kind", "touchpoint", "status")}

    def add(self, f: Finding) -> None:
        self.counts["status"][f.status] += 1
        if f.status == "ignored":
            return
        self.counts["severity"][f.severity] += 1
        self.counts["kind"][f.kind] += 1
        for tp in sorted({loc.touchpoint for loc in f.locations}):
            self.counts["touchpoint"][tp] += 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {k: dict(v) for k, v in self.counts.items()}


def totals(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    tally = Tally()
    for f in findings:
        tally.add(f)
    return tally.as_dict()

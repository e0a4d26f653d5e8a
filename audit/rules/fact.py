"""Fact rules: a fact (trial length, a price, the support phone) stated across touchpoints.

A statement of a fact is a value of the rule's type (audit/facts/) near one of its context
phrases, in the same sentence: each context occurrence claims the nearest value within
``window`` words, so "your free trial lasts 14 days; we delete data 30 days after cancellation"
yields 14 days only. JSON-LD properties named in ``jsonld`` are statements too. Qualifiers (a plan
name found near the value; for money also the billing period) keep different facts apart.
The pass only collects observations; findings are made at the end over the whole crawl.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from audit.documents import Document, Region
from audit.facts import TYPES, value_type
from audit.facts.base import Value, ValueType
from audit.findings import Finding, Location, Observation, fact_fingerprint, value_key
from audit.options import Option, Source
from audit.rules.base import Rule, common_fields
from audit.text import sentence_around

KIND = "fact"

OPTIONS: list[Option] = [
    Option("type", "choice", "the value type of the fact", required=True, choices=tuple(TYPES)),
    Option("context", "strings", "phrases that identify a statement of the fact; '*' stands for "
           "up to three words (try * free)"),
    Option("window", "int", "most words between a context phrase and the value", default=8),
    Option("expected", "str", "the canonical value; every other value is an error"),
    Option("qualifiers", "strings", "words that key different facts apart (plan names): the "
           "nearest one in the sentence qualifies the value"),
    Option("jsonld", "strings", "schema.org properties (dotted paths such as offers.price) that "
           "state the fact in JSON-LD"),
    Option("options", "map", "options of the value type (currency, region, unit, pattern, "
           "threshold, dayfirst, period)"),
]

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@dataclass
class FactRule(Rule):
    type: str = ""
    context: list[str] = field(default_factory=list)
    window: int = 8
    expected: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    expected_value: Value | None = None
    context_re: re.Pattern[str] | None = None
    qualifier_re: re.Pattern[str] | None = None

    @property
    def value_type(self) -> ValueType:
        return value_type(self.type)


def _phrase_pattern(phrase: str) -> str:
    parts: list[str] = []
    for word in phrase.split():
        if word == "*":
            parts.append(r"(?:\W+\w+){0,3}?")
        else:
            parts.append((r"\W+" if parts else "") + re.escape(word))
    return r"(?<!\w)" + "".join(parts) + r"(?!\w)"


def _alternation(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(f"(?:{_phrase_pattern(p)})" for p in ordered), re.IGNORECASE)


def check_raw(src: Source, raw: dict[str, Any], label: str) -> None:
    """Checks that need the type: its options, and that 'expected' is a value of it."""
    line, col = raw["_line"], raw["_col"]
    if not raw.get("context") and not raw.get("jsonld"):
        src.problem(line, col, f"{label} needs 'context' (phrases around the value) or 'jsonld'")
    vtype = TYPES.get(raw.get("type") or "")
    if vtype is None:
        return
    options = {k: v for k, v in (raw.get("options") or {}).items() if not k.startswith("_")}
    known = {o.name for o in vtype.options}
    for key in options:
        if key not in known:
            pos = raw["_pos"].get("options", (line, col))
            have = ", ".join(sorted(known)) or "none"
            src.problem(*pos, f"'options' in {label} has unknown option {key!r} for type "
                        f"{vtype.name}; expected one of {have}")
    if raw.get("expected") is not None and vtype.parse(str(raw["expected"]), **options) is None:
        pos = raw["_pos"].get("expected", (line, col))
        src.problem(*pos, f"'expected' in {label} is not a {vtype.name} value: {raw['expected']!r}")


def compile_rule(raw: dict[str, Any], source: str) -> FactRule:
    options = {k: v for k, v in (raw.get("options") or {}).items() if not k.startswith("_")}
    rule = FactRule(
        **common_fields(raw, source),
        type=raw["type"],
        context=raw.get("context") or [],
        window=raw["window"],
        expected=raw.get("expected"),
        qualifiers=raw.get("qualifiers") or [],
        jsonld=raw.get("jsonld") or [],
        options=options,
    )
    rule.context_re = _alternation(rule.context)
    rule.qualifier_re = _alternation(rule.qualifiers)
    if rule.expected is not None:
        rule.expected_value = rule.value_type.parse(str(rule.expected), **options)
    return rule


def _words_between(text: str, a_end: int, b_start: int) -> int:
    lo, hi = sorted((a_end, b_start))
    return len(_WORD.findall(text, lo, hi))


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): line breaks do not end it (pricing tables), . ! ? do."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    m = _SENTENCE_END.search(text, end)
    return left, m.start() + 1 if m else len(text)


class FactCollector:
    """Collects fact observations during the pass; makes fact findings at the end."""

    def __init__(self, rules: list[Rule], phone_region: str = "US"):
        self.rules: list[FactRule] = [r for r in rules if isinstance(r, FactRule)]
        self.phone_region = phone_region
        self.observations: list[Observation] = []

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _options(self, rule: FactRule, region: Region) -> dict[str, Any]:
        opts = dict(rule.options)
        if rule.type == "phone":
            opts.setdefault("region", self.phone_region)
        opts["placeholders"] = [pos for _, pos in region.merge_tags]
        return opts

    def observe(self, doc: Document, region: Region, sdoc: Any,
                scope_ok: Callable[[Rule], bool],
                place_ok: Callable[[Rule, int, int], bool] | None = None,
                place_at: Callable[[int], Any] | None = None) -> None:
        """Record every statement of every fact rule in this region.

        ``scope_ok`` says whether a rule audits the document; ``place_ok`` whether it audits the
        place a value was read at (regions, chrome, links…); ``place_at`` gives that place's
        block (audit/chrome.py) so the observation keeps its headings.
        """
        for rule in self.rules:
            if not scope_ok(rule):
                continue
            if region.name == "jsonld":
                found = self._from_jsonld(rule, doc, region) if rule.jsonld and region.data else iter(())
            elif rule.context_re is not None:
                found = self._from_text(rule, doc, region)
            else:
                continue
            for obs in found:
                loc = obs.location
                if place_ok is not None and not place_ok(rule, loc.start, loc.end):
                    continue
                place = place_at(loc.start) if place_at is not None else None
                if place is not None:
                    loc.headings = list(place.block.headings)
                    loc.pages = place.pages
                    if place.scope != region.name:
                        loc.chrome = place.scope
                self.observations.append(obs)

    def _from_text(self, rule: FactRule, doc: Document, region: Region) -> Iterator[Observation]:
        text = region.text
        assert rule.context_re is not None
        contexts = list(rule.context_re.finditer(text))
        if not contexts:
            return
        values = [v for v in rule.value_type.find(text, **self._options(rule, region))
                  if not region.in_code(v.start, v.end)]
        claimed: set[int] = set()
        for ctx in contexts:
            s_lo, s_hi = _sentence_bounds(text, ctx.start(), ctx.end())
            ranked = []
            for i, v in enumerate(values):
                if v.start < s_lo or v.end > s_hi or (v.start < ctx.end() and v.end > ctx.start()):
                    continue
                after = v.start >= ctx.end()
                gap = (_words_between(text, ctx.end(), v.start) if after
                       else _words_between(text, v.end, ctx.start()))
                if gap <= rule.window:
                    ranked.append((gap, 0 if after else 1, i))  # a tie goes to the value after
            for _, _, i in sorted(ranked):
                if i not in claimed:
                    claimed.add(i)
                    v = values[i]
                    yield self._observation(rule, doc, region, v,
                                            self._qualifier(rule, text, v, s_lo, s_hi))
                    break

    def _qualifier(self, rule: FactRule, text: str, v: Value, lo: int, hi: int) -> str:
        parts = []
        if rule.qualifier_re is not None:
            # The nearest qualifier before the value ("Pro plan costs $29"), else the nearest after.
            found = list(rule.qualifier_re.finditer(text, lo, hi))
            before = [m for m in found if m.end() <= v.start]
            after = [m for m in found if m.start() >= v.end]
            nearest = before[-1] if before else after[0] if after else None
            if nearest is not None:
                canonical = {q.lower(): q for q in rule.qualifiers}
                parts.append(canonical.get(nearest.group(0).lower(), nearest.group(0)))
        if rule.type == "money" and isinstance(v.value, dict):
            parts.append(str(v.value.get("period") or "once"))
        return "/".join(parts)

    def _from_jsonld(self, rule: FactRule, doc: Document, region: Region) -> Iterator[Observation]:
        opts = self._options(rule, region)
        opts.pop("placeholders", None)
        for obj in _objects(region.data):
            for path in rule.jsonld:
                for raw, owner in _at_path(obj, path.split(".")):
                    written = str(raw)
                    if rule.type == "money" and isinstance(owner, dict):
                        period = _jsonld_period(owner)
                        currency = owner.get("priceCurrency")
                        value = rule.value_type.parse(f"{currency} {written}" if currency else written,
                                                      **{**opts, **({"period": period} if period else {})})
                    else:
                        value = rule.value_type.parse(written, **opts)
                    if value is None:
                        continue
                    at = region.text.find(written)
                    start, end = (at, at + len(written)) if at >= 0 else (0, 0)
                    qualifier = ""
                    name = str(obj.get("name") or (owner or {}).get("name") or "")
                    for q in rule.qualifiers:
                        if re.search(rf"(?<!\w){re.escape(q)}(?!\w)", name, re.IGNORECASE):
                            qualifier = q
                            break
                    if rule.type == "money" and isinstance(value.value, dict):
                        period = str(value.value.get("period") or "once")
                        qualifier = f"{qualifier}/{period}" if qualifier else period
                    yield self._observation(rule, doc, region,
                                            Value(start, end, written, value.value, value.display),
                                            qualifier)

    def _observation(self, rule: FactRule, doc: Document, region: Region, v: Value,
                     qualifier: str) -> Observation:
        snippet, snippet_start = sentence_around(region.text, v.start, v.end)
        loc = Location(doc.touchpoint, doc.url, region.name, v.start, v.end, region.text[v.start:v.end],
                       snippet, snippet_start, doc.title)
        return Observation(rule.id, v.value, v.text, loc, qualifier, v.display)

    # -- the cross-document step ----------------------------------------------------------
    def finish(self) -> list[Finding]:
        by_fact: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        for o in self.observations:
            by_fact[(o.fact, o.qualifier)].append(o)
        rules = {r.id: r for r in self.rules}
        out: list[Finding] = []
        for (fact, qualifier), observations in by_fact.items():
            out.extend(self._findings(rules[fact], qualifier, observations))
        return out

    def _groups(self, rule: FactRule, observations: list[Observation]) -> list[list[Observation]]:
        """Observations grouped by equal normalized value, majority first."""
        groups: list[list[Observation]] = []
        for o in observations:
            for g in groups:
                if rule.value_type.same(g[0].value, o.value, **rule.options):
                    g.append(o)
                    break
            else:
                groups.append([o])
        return sorted(groups, key=lambda g: (-len(g), value_key(g[0].value)))

    def _findings(self, rule: FactRule, qualifier: str, observations: list[Observation]) -> list[Finding]:
        groups = self._groups(rule, observations)
        name = rule.id + (f" ({qualifier})" if qualifier else "")
        summary = [_describe(g) for g in groups]
        extra = {"fact": rule.id, "qualifier": qualifier, "type": rule.type,
                 "groups": [_group_dict(g) for g in groups]}
        expected = rule.expected_value
        if expected is not None:
            out = []
            for g in groups:
                if rule.value_type.same(g[0].value, expected.value, **rule.options):
                    continue
                message = rule.format(
                    "{fact}: {found}; expected {expected}", fact=name, found=_describe(g),
                    expected=expected.display)
                out.append(Finding(
                    kind="fact", rule=rule.id, severity=rule.severity, message=message,
                    locations=[o.location for o in g], expected=expected.display,
                    fingerprint=fact_fingerprint(rule.id, qualifier, [expected.value, g[0].value]),
                    extra={**extra, "deviation": g[0].display},
                ))
            return out
        if len(groups) < 2:
            return []
        message = rule.format("{fact} disagrees: {found}", fact=name, found="; ".join(summary),
                              expected=groups[0][0].display)
        return [Finding(
            kind="fact", rule=rule.id, severity=rule.severity, message=message,
            locations=[o.location for g in groups for o in g], expected=groups[0][0].display,
            fingerprint=fact_fingerprint(rule.id, qualifier, [g[0].value for g in groups]),
            extra=extra,
        )]


def _describe(group: list[Observation]) -> str:
    pages = len({(o.location.touchpoint, o.location.url) for o in group})
    tps = ", ".join(sorted({o.location.touchpoint for o in group}))
    return f"{group[0].display} on {pages} page{'s' if pages != 1 else ''} ({tps})"


def _group_dict(group: list[Observation]) -> dict[str, Any]:
    return {
        "value": group[0].value,
        "display": group[0].display,
        "count": len(group),
        "touchpoints": sorted({o.location.touchpoint for o in group}),
        "written": sorted({o.text for o in group}),
    }


_PERIODS = {"P1M": "month", "MON": "month", "MONTH": "month", "P1Y": "year", "ANN": "year",
            "YEAR": "year", "P1W": "week", "WEEK": "week", "P1D": "day", "DAY": "day"}


def _jsonld_period(offer: dict[str, Any]) -> str | None:
    """The billing period of a schema.org Offer (unitText/unitCode/billingDuration), if stated."""
    specs = offer.get("priceSpecification")
    for spec in [offer, *(specs if isinstance(specs, list) else [specs] if specs else [])]:
        if not isinstance(spec, dict):
            continue
        for key in ("billingDuration", "unitCode", "unitText"):
            raw = str(spec.get(key) or "").strip().upper().replace("PER ", "")
            if raw in _PERIODS:
                return _PERIODS[raw]
            if raw.endswith("LY") and raw[:-2] in ("MONTH", "YEAR", "WEEK"):
                return raw[:-2].lower()
    return None


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object, nested ones included (an Organization's contactPoint…)."""
    if isinstance(data, dict):
        yield data
        for v in data.values():
            yield from _objects(v)
    elif isinstance(data, list):
        for v in data:
            yield from _objects(v)


def _at_path(obj: Any, path: list[str]) -> Iterator[tuple[Any, Any]]:
    """(value, the object holding it) at a dotted path; lists are walked through."""
    if isinstance(obj, list):
        for item in obj:
            yield from _at_path(item, path)
        return
    if not isinstance(obj, dict) or not path:
        return
    value = obj.get(path[0])
    if value is None:
        return
    if len(path) == 1:
        if isinstance(value, dict):  # a PostalAddress and the like: its text parts, in order
            parts = [str(v) for k, v in value.items() if not k.startswith("@") and isinstance(v, (str, int))]
            if parts:
                yield ", ".join(parts), obj
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, (str, int, float)):
                    yield v, obj
        elif isinstance(value, (str, int, float)):
            yield value, obj
        return
    yield from _at_path(value, path[1:])

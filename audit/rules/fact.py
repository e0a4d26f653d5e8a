"""Fact rules: a fact (trial length, a price, the support phone) stated across touchpoints.

A statement of a fact is a value of the rule's type (audit/facts/) near one of its context
phrases, in the same sentence: each context occurrence claims the nearest value within
``window`` words, so "your free trial lasts 14 days; we delete data 30 days after cancellation"
yields 14 days only. JSON-LD properties named in ``jsonld`` are statements too. Qualifiers (a plan
name found near the value; for money also the billing period) keep different facts apart.
The pass only collects observations; findings are made at the end over the whole crawl.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as _dt
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from audit.documents import Document, Region, jsonld_objects
from audit.facts import TYPES, value_type
from audit.facts.base import Value, ValueType
from audit.facts.money import period_in
from audit.findings import Finding, Location, Observation, fact_fingerprint, value_key
from audit.options import Option, Source, json_schema, validate
from audit.rules.base import Rule, common_fields
from audit.text import sentence_around

KIND = "fact"

OPTIONS: list[Option] = [
    Option("type", "choice", "the value type of the fact", required=True, choices=tuple(TYPES)),
    Option("context", "strings", "phrases that identify a statement of the fact; '*' stands for "
           "up to three words (try * free)"),
    Option("window", "int", "most words between a context phrase and the value", default=8),
    Option("expected", "any", "the canonical value; every other value is an error. A mapping "
           "gives one per qualifier ({Basic: $9 per month, Plus: $19 per month})",
           check=lambda v: None if isinstance(v, (str, int, float, dict)) and not isinstance(v, bool)
           else "must be a value or a mapping of qualifier to value"),
    Option("allowed", "maps", "other values that are legitimately different, with the reason "
           "(a sales line beside the support line): observed, never a conflict",
           table=[Option("value", "str", "the value", required=True),
                  Option("reason", "str", "why it is allowed", required=True)], item="allowed value"),
    Option("max_age", "str", "statements on pages dated longer ago than this (2 years, 18 months, "
           "90 days) are history: shown, never compared"),
    Option("qualifiers", "strings", "words that key different facts apart (plan names): the "
           "nearest one in the sentence qualifies the value"),
    Option("jsonld", "strings", "schema.org properties (dotted paths such as offers.price) that "
           "state the fact in JSON-LD"),
    Option("options", "map", "options of the value type (currency, region, unit, pattern, "
           "threshold, dayfirst, period)"),
    Option("context_scope", "choice", "where a context phrase may stand: in the value's sentence, "
           "anywhere in its block, or also in the headings above it (table headers always count)",
           default="sentence", choices=("sentence", "block", "section")),
    Option("competitors", "strings", "names of other companies and products: a value in a clause "
           "that names one is theirs, never a statement of ours"),
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
    expected_by: dict[str, Value] = field(default_factory=dict)  # qualifier (plan) -> value
    allowed: list[tuple[Value, str]] = field(default_factory=list)
    max_age_days: int | None = None
    context_scope: str = "sentence"
    competitors: list[str] = field(default_factory=list)
    context_re: re.Pattern[str] | None = None
    context_starts: list[str] = field(default_factory=list)  # what a context phrase can begin with
    words: frozenset[str] = frozenset()  # the words of its contexts and id, lower case
    qualifier_re: re.Pattern[str] | None = None
    competitor_re: re.Pattern[str] | None = None

    @property
    def value_type(self) -> ValueType:
        return value_type(self.type)


_PREPOSITIONS = frozenset({"within", "in", "at", "to", "for", "on", "by", "from", "under"})


def _phrase_pattern(phrase: str) -> str:
    """A context phrase as a pattern: words apart by any non-word run, punctuation with or without
    spaces around it ('/month' also reads '/ month'), '*' for up to three words."""
    parts: list[str] = []
    words = phrase.split()
    for n, word in enumerate(words):
        if n and n == len(words) - 1 and word.lower() in _PREPOSITIONS and "*" not in words:
            parts.append(r"(?:\W+\w+){0,4}?")  # "reply within" reads "reply to every message within"
        if word == "*":
            parts.append(r"(?:\W+\w+){0,3}?")
            continue
        pieces = re.findall(r"\w+|[^\w\s]", word)
        piece = r"\s*".join(re.escape(p) for p in pieces)
        parts.append((r"\W+" if parts else "") + piece)
    if parts and re.search(r"[a-z]$", phrase):
        parts.append("(?:e?s)?")  # 'refund' also reads 'Refunds', 'seat' 'seats'
    before = r"(?<!\w)" if re.match(r"\w", phrase) else ""  # "/month" also after "$12"
    after = r"(?!\w)" if re.search(r"\w$", phrase) or parts[-1] == "(?:e?s)?" else ""
    return before + "".join(parts) + after


def _alternation(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(f"(?:{_phrase_pattern(p)})" for p in ordered), re.IGNORECASE)


def _names(names: list[str]) -> re.Pattern[str] | None:
    """Plan names as names: "Team" and "TEAM", never the word "team" ("1 team member"); a name
    written in lower case in the rule matches in any case."""
    if not names:
        return None
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in name.split())
        if name.islower():
            alternatives.append(rf"(?i:{body})")
        else:
            alternatives.append(body)
            alternatives.append(r"\s+".join(re.escape(w) for w in name.upper().split()))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def check_raw(src: Source, raw: dict[str, Any], label: str) -> None:
    """Checks that need the type: its options, and that 'expected' is a value of it."""
    line, col = raw["_line"], raw["_col"]
    if not raw.get("context") and not raw.get("jsonld"):
        src.problem(line, col, f"{label} needs 'context' (phrases around the value) or 'jsonld'")
    vtype = TYPES.get(raw.get("type") or "")
    if vtype is None:
        return
    given = raw.get("options")
    if given:
        before = len(src.problems)
        validate(src, given, vtype.options, f"'options' of a {vtype.name} fact in {label}",
                 raw["_pos"].get("options", (line, col)))
        if len(src.problems) > before:
            return
    options = {k: v for k, v in (given or {}).items() if not k.startswith("_")}
    expected = raw.get("expected")
    for key, value in (expected.items() if isinstance(expected, dict) else [("", expected)]):
        if value is not None and vtype.parse(str(value), **options) is None:
            pos = raw["_pos"].get("expected", (line, col))
            where = f" for {key!r}" if key else ""
            src.problem(*pos, f"'expected'{where} in {label} is not a {vtype.name} value: {value!r}")
    for item in raw.get("allowed") or []:
        if item.get("value") is not None and vtype.parse(str(item["value"]), **options) is None:
            src.problem(*item["_pos"].get("value", (item["_line"], item["_col"])),
                        f"'allowed' value in {label} is not a {vtype.name} value: {item['value']!r}")
    if raw.get("max_age") is not None and _days(str(raw["max_age"])) is None:
        src.problem(*raw["_pos"].get("max_age", (line, col)), f"'max_age' in {label} must be a "
                    f"duration such as 2 years, 18 months or 90 days; got {raw['max_age']!r}")


def schema_of(rule: dict[str, Any]) -> None:
    """Each value type's options in the JSON Schema, chosen by ``type``, so editors check them too."""
    rule["allOf"] = [{"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                      "then": {"properties": {"options": {**json_schema(vtype.options),
                                                          "description": f"options of a {name} fact"}}}}
                     for name, vtype in TYPES.items()]


def compile_rule(raw: dict[str, Any], source: str) -> FactRule:
    options = {k: v for k, v in (raw.get("options") or {}).items() if not k.startswith("_")}
    rule = FactRule(
        **common_fields(raw, source),
        type=raw["type"],
        context=raw.get("context") or [],
        window=raw["window"],
        expected=None,
        qualifiers=raw.get("qualifiers") or [],
        jsonld=raw.get("jsonld") or [],
        options=options,
        context_scope=raw["context_scope"],
        competitors=raw.get("competitors") or [],
    )
    rule.context_re = _alternation(rule.context)
    rule.context_starts = _starts(rule.context)
    rule.words = frozenset(w.lower() for phrase in [*rule.context, rule.id.replace("-", " ")]
                           for w in _WORD.findall(phrase))
    rule.qualifier_re = _names(rule.qualifiers)
    rule.competitor_re = _alternation(rule.competitors)
    expected = raw.get("expected")
    if isinstance(expected, dict):
        rule.expected = None
        rule.expected_by = {str(k): v for k, v in ((k, rule.value_type.parse(str(x), **options))
                                                   for k, x in expected.items() if not str(k).startswith("_"))
                            if v is not None}
    elif expected is not None:
        rule.expected = str(expected)
        rule.expected_value = rule.value_type.parse(str(expected), **options)
    for item in raw.get("allowed") or []:
        value = rule.value_type.parse(str(item["value"]), **options)
        if value is not None:
            rule.allowed.append((value, str(item["reason"])))
    rule.max_age_days = _days(str(raw["max_age"])) if raw.get("max_age") else None
    return rule


_AGE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def _days(text: str) -> int | None:
    """'2 years' -> 730 days (a month is 30 days, a year 365)."""
    m = _AGE.match(text)
    if not m:
        return None
    return int(m.group(1)) * {"day": 1, "week": 7, "month": 30, "year": 365}[m.group(2).lower()]


# Said of the value before it ("the trial was 14 days"), not of a later clause ("within 30 days of
# the date it was charged").
_PAST = re.compile(r"\b(?:was|were|used to(?: be)?|had(?: been)?|previously|formerly|no longer)\b",
                   re.IGNORECASE)
_PAST_UNTIL = re.compile(r"\b(?:until|till|back in|before) (?:19|20)\d\d\b", re.IGNORECASE)
_PAST_YEAR = re.compile(r"\b(?:in|during|by the end of) ((?:19|20)\d\d)\b", re.IGNORECASE)
# A sentence opened in the past speaks of then in every clause: "When we launched, the trial was
# 7 days and Starter allowed just 20 forms", "Until 2022, Pro cost $24 and Starter $9".
_PAST_LEAD = re.compile(r"\W*(?:(?:until|till|back in|before|in) (?P<year>(?:19|20)\d\d)\b|when we "
                        r"(?:launched|started|began)\b|at launch\b|originally\b|at first\b)", re.IGNORECASE)
_PRESENT = re.compile(r"\b(?:now|today|currently|these days)\b", re.IGNORECASE)
# The value a change starts from: "up from 50 GB", "14 days instead of 7 days", "from 99.9% to".
_OLD_VALUE = re.compile(r"\b(?:(?:up|down|changed|moved|raised|lowered|cut|increased|reduced|goes|went) "
                        r"from|instead of|rather than)\s+$", re.IGNORECASE)
_FROM_TO = re.compile(r"\s+to\s+\S*\d")



# No values: "updated 5 months ago · 4 min read", "for three months running", "3 days in a row".
_AGO = re.compile(r"\s+(?:ago|read|running|in a row|straight)\b", re.IGNORECASE)
# A difference, not a level: "downloads 135 KB less JavaScript", "2 seconds faster".
_DIFFERENCE = re.compile(r"\s+(?:less|more|fewer|smaller|larger|bigger|lighter|heavier|faster|slower|"
                         r"cheaper|longer|shorter)\b", re.IGNORECASE)
_VERSUS = re.compile(r"\b(?:vs|versus|compared|or|and)\b|&", re.IGNORECASE)
# A sentence that sets another thing beside ours: "For comparison, a typical image is 200 KB."
_COMPARISON = re.compile(r"\s*(?:for|by|in) comparison\b|\s*(?:compared (?:to|with)|unlike)\b",
                         re.IGNORECASE)
# What is bought on top of a plan: "extra storage is sold in 100 GB blocks", "seats beyond the
# included 25 at $12 per seat" price the add-on, not the plan.
_ADD_ON = re.compile(r"\b(?:extra|additional|add-?ons?|top-?ups?|overages?|beyond)\b", re.IGNORECASE)
# Mailboxes that name a department (RFC 2142 and common practice): sales@ is not the support
# address, whatever sentence it stands in.
# Departments a sentence names as its subject; "billing" is also a topic ("billing questions").
_DEPARTMENTS = frozenset({"sales", "security", "press", "media", "legal", "privacy", "partners",
                          "marketing", "careers", "jobs", "abuse"})
# "Add 50 GB for $5", "can add people for $6 per member": bought on top.
_BUY = re.compile(r"\badd(?:s|ed|ing)?\s+(?:(?:\w+\s+){0,3}(?:for|at)\s+)?$", re.IGNORECASE)
_PROCESSING = re.compile(r"\b(?:to (?:show(?: up)?|appear|arrive|reach|clear|post|settle)|reach(?:es)? "
                         r"(?:your|the)|arrives?|shows? up|depending on)\b", re.IGNORECASE)
# A table cell that bounds a band ("Below 99.0%", "At least 99.0%, but below the SLA"): a threshold.
_BAND = re.compile(r"\b(?:below|under|less than|fewer than)\b", re.IGNORECASE)
_ROLES = frozenset({"sales", "support", "security", "abuse", "billing", "privacy", "legal", "press",
                    "media", "jobs", "careers", "hr", "partners", "marketing", "noc", "postmaster",
                    "hostmaster", "webmaster", "invoices", "accounts", "dpo", "gdpr", "compliance"})


_ITEMS = frozenset({"li", "dt", "dd"})
# A value that is a change, not a level: "extend the trial by 7 days", "cut by 20%".
_CHANGE = re.compile(r"\bby(?:\s+(?:up to|another|an extra|a further))?\s+$", re.IGNORECASE)
# A context used as a point in time: "during the trial", "after the trial ends" dates something
# else ("It disappears within 3 business days" is not the trial's length).
_ANCHOR = re.compile(r"\b(?:during|after|before|throughout|until|till|since|once|when|at the end of|"
                     r"by the end of)\s+(?:the|your|a|an|its|their|our)?\s*$", re.IGNORECASE)


def _states(region: Region | None, text: str, ctx: re.Match[str]) -> bool:
    """Whether a context occurrence can state a fact: not on a button ("Start free trial" is
    an action) and not a point in time."""
    if region is not None and "button" in region.marked(ctx.start(), ctx.end()):
        return False
    return not _ANCHOR.search(text, max(0, ctx.start() - 24), ctx.start())


def _named_bare(rule: FactRule, text: str, values: list[Value],
                contexts: list[re.Match[str]] | None = None) -> list[Value]:
    """Bare numbers for a plan in a sentence whose context phrase names the unit ("Response limits
    reset monthly: 1,000 on Starter, 10,000 on Pro"): the unit is said once, before them."""
    unit = str(rule.options.get("unit") or "").lower()
    if rule.type != "number" or not unit or rule.context_re is None or rule.qualifier_re is None:
        return []
    stem = unit.rstrip("s")
    taken = [(v.start, v.end) for v in values]
    out = []
    for ctx in rule.context_re.finditer(text) if contexts is None else contexts:
        if stem not in ctx.group(0).lower():
            continue
        lo, hi = _sentence_bounds(text, ctx.start(), ctx.end())
        for m in _ELLIPTIC.finditer(text, ctx.end(), hi):
            plan = re.match(r"\s+(?:on|for|in)\s+(?:the\s+)?", text[m.end():m.end() + 12])
            if any(a <= m.start() < b for a, b in taken) or plan is None or \
                    not rule.qualifier_re.match(text, m.end() + plan.end()):
                continue  # only "1,000 on Starter": the number and the plan it is for
            parsed = _with_unit(rule, m.group(0), str(rule.options["unit"]))
            if parsed is not None:
                taken.append((m.start(), m.end()))
                out.append(Value(m.start(), m.end(), m.group(0), parsed.value, parsed.display))
    return out


def _elliptic(rule: FactRule, first: Value, text: str, lo: int, hi: int) -> Value | None:
    """A bare number in a parallel clause, with the unit its first clause gave ("… 3 team
    members and Team accounts 15" is 15 members)."""
    if rule.type != "number" or not isinstance(first.value, dict) or not first.value.get("unit"):
        return None
    m = _ELLIPTIC.search(text, lo, hi)
    if m is None:
        return None
    head = _BARE_NUMBER.match(first.text)
    unit = first.text[len(head.group(0)):].strip() if head else ""
    parsed = _with_unit(rule, m.group(0), unit) if unit else None
    return Value(m.start(), m.end(), m.group(0), parsed.value, parsed.display) if parsed is not None else None


def _with_unit(rule: FactRule, written: str, unit: str) -> Value | None:
    """A bare number read with the unit said elsewhere (a header, an earlier clause), shown with
    it: "1,000" under "Responses" is "1,000 responses"."""
    parsed = rule.value_type.parse(f"{written} {unit}", **rule.options)
    if parsed is None:
        return None
    one = written.strip() == "1"
    plural = not one and unit[-1:].isalpha() and not unit.lower().endswith("s") and not unit.isupper()
    shown = unit + "s" if plural else unit
    return Value(0, len(written), written, parsed.value, f"{written} {shown}")


_ELLIPTIC = re.compile(r"(?<![\w.,$€£(+/#:-])(?:\d{1,3}(?:,\d{3})+|\d+|(?i:unlimited))(?:\.\d+)?"
                       r"(?![\d,.]\d|\s*[%)])"
                       r"(?=\s*(?:[.;,](?:\s|$)|$|\s(?:and|or|on|for|in)\s))")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:[A-Z][\w-]*\s+){0,2}")


def _shared_period(rule: FactRule, text: str, values: list[Value]) -> list[Value]:
    """A billing period written once after a list belongs to each price in it: "Starter $12,
    Pro $29 and Team $79 per month" is three monthly prices."""
    out = list(values)
    for i in range(len(out) - 2, -1, -1):
        v, nxt = out[i], out[i + 1]
        if not isinstance(v.value, dict) or v.value.get("period") or not isinstance(nxt.value, dict):
            continue
        period = nxt.value.get("period")
        if period and _LIST_GAP.fullmatch(text, v.end, nxt.start):
            parsed = rule.value_type.parse(f"{v.text} per {period}", **rule.options)
            if parsed is not None:
                out[i] = Value(v.start, v.end, v.text, parsed.value, parsed.display)
    return out


def _with_header_period(rule: FactRule, v: Value, block: Any) -> Value:
    """A price in a cell under "Price per month" is "$9 per month": the header's billing period
    becomes the value's, so it equals "$9 per month" written out elsewhere."""
    if not isinstance(v.value, dict) or v.value.get("period") or block is None:
        return v
    period = period_in(" ".join(h for h in (getattr(block, "row", None), getattr(block, "col", None)) if h))
    if not period:
        return v
    parsed = rule.value_type.parse(f"{v.text} per {period}", **rule.options)
    return Value(v.start, v.end, v.text, parsed.value, parsed.display) if parsed is not None else v


def _qualifiers_in(rule: FactRule, text: str, lo: int, hi: int) -> list[re.Match[str]]:
    """The qualifiers named in text[lo:hi], but not a word of a context phrase: in "Team members"
    the plan name Team is part of what is counted."""
    assert rule.qualifier_re is not None
    taken = [(c.start(), c.end()) for c in rule.context_re.finditer(text, lo, hi)] if rule.context_re else []
    return [q for q in rule.qualifier_re.finditer(text, lo, hi)
            if not any(a <= q.start() and q.end() <= b and (a, b) != (q.start(), q.end()) for a, b in taken)]


def _qualifier_in(rule: FactRule, text: str, lo: int, hi: int) -> re.Match[str] | None:
    found = _qualifiers_in(rule, text, lo, hi)
    return found[0] if found else None


_THEIRS = re.compile(r"\b(?:its|their|theirs)\b", re.IGNORECASE)
# A sentence that goes on from the one before: a pronoun, a "yes", or the value itself first
# ("It lasts 30 days", "Ours is still 14 days", "21 days from the day you sign up").
_REFERS_BACK = re.compile(r"\W*(?:(?:it|its|it's|ours|this|that|these|those|they|there|yes|no|within|"
                          r"in|for|after|up to|about|just|only|still|every|each)\b|[\d$€£])", re.IGNORECASE)


def _band(text: str, block: Any) -> bool:
    """A table cell that bounds a band ("Below 99.0%"): a threshold, not the fact."""
    return block is not None and bool(getattr(block, "row", None) or getattr(block, "col", None)) \
        and _BAND.search(text, block.start, block.end) is not None


def _someone_else(rule: FactRule, text: str, v: Value, lo: int, hi: int, own: bool = False) -> bool:
    """Whether a value states something other than the rule's fact though its context is near:
    an add-on's price or size (unless the rule is about add-ons), or a mailbox of another
    department. ``own``: the value's clause holds no context phrase but the value's own words,
    so an add-on word anywhere before it in the sentence counts ("Extra seats are available on
    Business only, at $12 per seat")."""
    rule_words = rule.words
    c_lo, c_hi = _clause_bounds(text, v.start, v.end, lo, hi)
    if rule_words & _ROLES and not rule_words & set(_WORD.findall(text[v.start:v.end].lower())):
        if rule.type == "email" and isinstance(v.value, str):
            role = re.split(r"[._+-]", v.value.split("@")[0].lower())[0]
            if role in _ROLES and role not in rule_words:
                return True
        # "Call our sales line at …", "Sales replies within 1 business day": another department's.
        named = {w.lower() for w in _WORD.findall(text[c_lo:c_hi])} & _DEPARTMENTS
        if named and not named & rule_words:
            return True
    if rule.type == "duration" and _PROCESSING.search(text, c_lo, c_hi):
        return True  # "refunds take 5–10 business days to show up": how long the bank takes
    if any(_ADD_ON.fullmatch(w) for w in rule_words):
        return False
    if _ADD_ON.search(text, c_lo, v.start) or _BUY.search(text, max(lo, v.start - 60), v.start):
        return True
    return own and _ADD_ON.search(text, lo, v.start) is not None




def _words_between(text: str, a_end: int, b_start: int) -> int:
    lo, hi = sorted((a_end, b_start))
    return len(_WORD.findall(text, lo, hi))


_CLAUSE_END = re.compile(r"\s*\n\s*|\s*[;,]\s+|\s+(?:and|or|but|while|whereas)\s+|\s+[–—-]\s+"
                         r"|\s*\((?=[^\d(+])\s*|(?<=[^\d\s])\)\s*", re.IGNORECASE)  # not "(415)"


_BARE_NUMBER = re.compile(r"\d[\d,.]*|(?i:unlimited)")


def _strength(why: str) -> tuple[int, int]:
    """How near the evidence of a reading is (its clause, sentence, table header, block,
    heading), then how specific ('call sales' over 'call'): lower is stronger."""
    m = re.match(r"context '(.*?)' ", why)
    specific = -len(m.group(1)) if m else 0
    for rank, word in enumerate(("value itself", "clause", "sentence", "table header", "' in '", "block",
                                 "heading")):
        if word in why:
            return rank, specific
    return 9, 0  # structured data (JSON-LD) and the like: always kept


def _contexts(rule: FactRule, text: str, lower: str | None) -> Iterator[re.Match[str]]:
    """The rule's context phrases in the text, as ``finditer`` finds them, but tried only where
    one of them can start (a lookbehind tried at every character is the slow part)."""
    assert rule.context_re is not None
    if lower is None or len(lower) != len(text):
        yield from rule.context_re.finditer(text)
        return
    starts: set[int] = set()
    for word in rule.context_starts:
        at = lower.find(word)
        while at >= 0:
            starts.add(at)
            at = lower.find(word, at + 1)
    last = 0
    for at in sorted(starts):
        if at < last:
            continue
        m = rule.context_re.match(text, at)
        if m is not None and m.end() > m.start():
            last = m.end()
            yield m


def _starts(phrases: list[str]) -> list[str]:
    """What each phrase begins with, in lower case: its first word, or its first sign ('/month')."""
    out = set()
    for phrase in phrases:
        m = re.match(r"\s*(\w+|[^\w\s])", phrase)
        if m:
            out.add(m.group(1).lower())
    return sorted(out)


def _clause_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around [start, end) within the sentence [lo, hi): "Basic includes 5 GB, Plus
    includes 50 GB and Business 1 TB" has three."""
    left, right = lo, hi
    for m in _CLAUSE_END.finditer(text, lo, hi):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    return left, right


_ENDS: list[Any] = [None, [], []]  # the last text seen, its sentence ends' starts and ends


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): line breaks do not end it (pricing tables), . ! ? do.
    The text's sentence ends are found once and kept for the next call on the same text."""
    if _ENDS[0] is not text:
        found = list(_SENTENCE_END.finditer(text))
        _ENDS[:] = [text, [m.start() for m in found], [m.end() for m in found]]
    starts, ends = _ENDS[1], _ENDS[2]
    i = bisect.bisect_right(ends, start)
    left = ends[i - 1] if i else 0
    if start and text[start - 1] in ".!?":
        left = start
    j = bisect.bisect_left(starts, end)
    return left, starts[j] + 1 if j < len(starts) else len(text)


# Characters around a core a value type's finder may look at (audit/facts/*.py: an e-mail's
# URL check looks 300 back; ranges 40 ahead); types missing here (text, with a user's pattern
# that may span anything) always read the whole region. Regions up to _WHOLE are read whole.
_MARGIN = {"": 96, "email": 320, "money": 96, "number": 96, "duration": 96, "percent": 96, "date": 96,
           "phone": 96, "url": 96}
_WHOLE = 1_500


class FactCollector:
    """Collects fact observations during the pass; makes fact findings at the end."""

    def __init__(self, rules: list[Rule], phone_region: str = "US"):
        self.rules: list[FactRule] = [r for r in rules if isinstance(r, FactRule)]
        self.phone_region = phone_region
        self.observations: list[Observation] = []
        self.today: _dt.date | None = None  # the day ages are counted to (tests fix it); None: today

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _options(self, rule: FactRule, region: Region, doc: Document | None = None) -> dict[str, Any]:
        opts = dict(rule.options)
        if rule.type == "phone":
            opts.setdefault("region", self.phone_region)
        opts["placeholders"] = [pos for _, pos in region.merge_tags]
        if rule.type == "date" and doc is not None and doc.date:
            opts["year"] = doc.date[:4]  # "until 15 March" on a page dated 2026 is 2026-03-15
        return opts

    def observe(self, doc: Document, region: Region, sdoc: Any,
                scope_ok: Callable[[Rule], bool],
                place_ok: Callable[[Rule, int, int], bool] | None = None,
                place_at: Callable[[int], Any] | None = None,
                types: Collection[str] | None = None) -> None:
        """Record every statement of every fact rule in this region (of the rules of ``types``
        only, when given: rules of one value type compete for the same values, never across).

        ``scope_ok`` says whether a rule audits the document; ``place_ok`` whether it audits the
        place a value was read at (regions, chrome, links…); ``place_at`` gives that place's
        block (audit/chrome.py) so the observation keeps its headings.
        """
        read: list[tuple[tuple[int, int], FactRule, Observation]] = []
        self._found: dict[str, list[Value]] = {}  # one search per value type and options per region
        lower = region.text.lower()
        for rule in self.rules:
            if (types is not None and rule.type not in types) or not scope_ok(rule):
                continue
            if region.name == "jsonld":
                found = self._from_jsonld(rule, doc, region) if rule.jsonld and region.data else iter(())
            elif rule.context_re is not None:
                if rule.context_scope == "sentence" and len(lower) == len(region.text) and \
                        not any(w in lower for w in rule.context_starts):
                    continue  # no context phrase can start anywhere here
                block_of = (lambda s: getattr(place_at(s), "block", None)) if place_at else None
                found = self._from_text(rule, doc, region, block_of, lower)
            else:
                continue
            for obs in found:
                loc = obs.location
                if place_ok is not None and not place_ok(rule, loc.start, loc.end):
                    continue
                if rule.exceptions and rule.excepted(region.text, loc.start, loc.end):
                    continue
                place = place_at(loc.start) if place_at is not None else None
                scope = place.scope if place is not None else region.name
                obs.history = self._history(rule, doc, region.text, loc.start, loc.end,
                                            chrome=scope in ("nav", "footer"),
                                            dated=place.block.date if place is not None else None)
                if place is not None:
                    loc.headings = list(place.block.headings)
                    loc.pages = place.pages
                    if place.scope != region.name:
                        loc.chrome = place.scope
                read.append((_strength(obs.why), rule, obs))
        # One value states one fact: when rules of one type both read it ("Call sales on …" as
        # the support and the sales phone), the reading with the nearer evidence wins.
        best: dict[tuple[str, int, int], tuple[int, int]] = {}
        for strength, rule, obs in read:
            key = (rule.type, obs.location.start, obs.location.end)
            best[key] = min(best.get(key, strength), strength)
        for strength, rule, obs in read:
            if strength == best[(rule.type, obs.location.start, obs.location.end)]:
                self.observations.append(obs)

    def _values_near(self, rule: FactRule, doc: Document, region: Region,
                     cores: list[tuple[int, int]]) -> list[Value]:
        """The values of a long region that a sentence-scope rule can read: those inside
        ``cores`` (its context phrases' sentences, table cells its headers name). Each value type
        is run over the cores and a margin of text around them, wider than any finder looks
        (an e-mail looks 300 characters back for a URL), instead of over the whole region; a
        value is kept only when it lies inside a core, where the margin gives it the very
        context the whole text would."""
        text = region.text
        margin = _MARGIN.get(rule.type, _MARGIN[""])
        opts = self._options(rule, region, doc)
        placeholders = opts.pop("placeholders")
        spans: list[list[int]] = []
        for lo, hi in sorted((max(0, a - margin), min(len(text), b + margin)) for a, b in cores):
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], hi)
            else:
                spans.append([lo, hi])
        out: list[Value] = []
        for lo, hi in spans:
            inside = [p - lo for p in placeholders if lo <= p < hi]
            for v in rule.value_type.find(text[lo:hi], placeholders=inside, **opts):
                start, end = v.start + lo, v.end + lo
                if any(a <= start and end <= b for a, b in cores):
                    out.append(dataclasses.replace(v, start=start, end=end))
        return out

    def _values(self, rule: FactRule, doc: Document, region: Region) -> list[Value]:
        opts = self._options(rule, region, doc)
        key = rule.type + repr(sorted((k, repr(v)) for k, v in opts.items() if k != "placeholders"))
        cache = getattr(self, "_found", None)
        if cache is None or key not in cache:
            found = rule.value_type.find(region.text, **opts)
            if cache is None:
                return found
            cache[key] = found
        return cache[key]

    def _from_text(self, rule: FactRule, doc: Document, region: Region,
                   block_of: Callable[[int], Any] | None = None,
                   lower: str | None = None) -> Iterator[Observation]:
        """Statements of the fact in a region's text, read as a person reads them:

        1. each context phrase claims the nearest value in its own clause (clauses end at ';',
           ', ', ' and ', ' or ', ' but '), else in its sentence within ``window`` words; a
           value in a clause that names a competitor is never ours;
        2. a value in a table cell whose row or column header holds a context phrase is a
           statement, qualified by its headers (pricing tables: plan in the column, fact in
           the row); with ``context_scope: block`` the value's block may hold the context, with
           ``section`` also the headings above it.
        """
        text = region.text
        assert rule.context_re is not None
        every = list(_contexts(rule, text, lower))
        contexts = [c for c in every if _states(region, text, c)]
        if not contexts and rule.context_scope == "sentence":
            return  # table headers are in the text too: with no context anywhere, nothing is stated
        if rule.context_scope == "sentence" and rule.type in _MARGIN and len(text) > _WHOLE:
            # Every context phrase's sentence, stated or not: _named_bare reads all of them.
            cores = [_sentence_bounds(text, c.start(), c.end()) for c in every]
            if block_of is not None:  # cells a context phrase in their headers makes statements
                cores += [(b.start, b.end) for b in region.lines() if (b.row or b.col) and any(
                    rule.context_re.search(h) for h in (b.row, b.col) if h)]
            found = self._values_near(rule, doc, region, cores)
        else:
            found = self._values(rule, doc, region)
        values = [v for v in found
                  if not region.in_code(v.start, v.end) and not _AGO.match(text, v.end)
                  and not _DIFFERENCE.match(text, v.end)
                  and not _CHANGE.search(text, max(0, v.start - 24), v.start)]
        values += self._bare_cells(rule, region)
        values = sorted(values + _named_bare(rule, text, values, every), key=lambda v: v.start)
        if rule.type == "money":
            if block_of is not None:
                values = [_with_header_period(rule, v, block_of(v.start)) for v in values]
            values = _shared_period(rule, text, values)
        if not values:
            return
        claimed: set[int] = set()
        ours: set[int] = set()  # claimed and read as the fact (not a competitor's, not an add-on)
        for ctx in contexts:
            s_lo, s_hi = _sentence_bounds(text, ctx.start(), ctx.end())
            block = block_of(ctx.start()) if block_of is not None else None
            if block is not None and block.tag in _ITEMS:  # a list item is its own sentence
                s_lo, s_hi = max(s_lo, block.start), min(s_hi, block.end)
            c_lo, c_hi = _clause_bounds(text, ctx.start(), ctx.end(), s_lo, s_hi)
            ranked = []
            for i, v in enumerate(values):
                if i in claimed or v.start < s_lo or v.end > s_hi:
                    continue
                inside = v.start < ctx.end() and v.end > ctx.start()
                if inside and not (v.start <= ctx.start() and v.end >= ctx.end()):
                    continue  # overlapping, but the context is not part of the value itself
                after = v.start >= ctx.end()
                gap = 0 if inside else (_words_between(text, ctx.end(), v.start) if after
                                        else _words_between(text, v.end, ctx.start()))
                same_clause = c_lo <= v.start and v.end <= c_hi
                if gap <= rule.window or same_clause:
                    # Own clause first, then nearest; a tie goes to the value after.
                    ranked.append((0 if same_clause else 1, gap, 0 if after else 1, i))
            for other_clause, gap, _after, i in sorted(ranked):
                v = values[i]
                claimed.add(i)
                block = block_of(v.start) if block_of is not None else None
                if self._competitor(rule, text, v, s_lo, s_hi, block) or _band(text, block) or \
                        _someone_else(rule, text, v, s_lo, s_hi, own=gap == 0 and v.start <= ctx.start()):
                    break
                qualifier = self._qualifier(rule, text, v, s_lo, s_hi, block_of)
                if gap == 0 and v.start <= ctx.start() and rule.qualifiers and \
                        qualifier.split("/")[0] not in {q for q in rule.qualifiers}:
                    break  # only the value's own words ("$5 per month") and no plan: not the fact
                where = "the value itself" if v.start <= ctx.start() and ctx.end() <= v.end else \
                    f"its {'sentence' if other_clause else 'clause'}"
                why = f"context '{ctx.group(0)}' in {where}"
                ours.add(i)
                yield self._observation(rule, doc, region, v, qualifier, why)
                if rule.qualifier_re is not None and qualifier.split("/")[0] in rule.qualifiers:
                    yield from self._parallel(rule, doc, region, v, values, claimed, ours, s_lo, s_hi,
                                              ctx.group(0), block_of)
                break
        if block_of is None:
            return
        claimed_blocks = {getattr(block_of(values[i].start), "start", None) for i in ours}
        for i, v in enumerate(values):
            if i in claimed:
                continue
            block = block_of(v.start)
            if block is None:
                continue
            found = self._structural_context(rule, text, block, block.start in claimed_blocks)
            s_lo, s_hi = _sentence_bounds(text, v.start, v.end)
            if block.tag in _ITEMS:
                s_lo, s_hi = max(s_lo, block.start), min(s_hi, block.end)
            if found and found.endswith("in its block") and not _REFERS_BACK.match(text, s_lo):
                continue  # a sentence of its own ("Here's how to publish a form in 10 minutes")
            if found and not self._competitor(rule, text, v, s_lo, s_hi, block) and \
                    not _band(text, block) and not _someone_else(rule, text, v, s_lo, s_hi, own=True) and \
                    not _COMPARISON.match(text, s_lo, s_hi):
                yield self._observation(rule, doc, region, v,
                                        self._qualifier(rule, text, v, s_lo, s_hi, block_of), found)

    def _parallel(self, rule: FactRule, doc: Document, region: Region, first: Value, values: list[Value],
                  claimed: set[int], ours: set[int], lo: int, hi: int, context: str,
                  block_of: Callable[[int], Any] | None) -> Iterator[Observation]:
        """The clauses beside a claimed one that say the same of another plan: "Starter has 1 GB
        of storage; Pro has 10 GB; Team has 100 GB", "Basic $9, Plus $19 and Business $49 per
        month", "Pro accounts hold 3 team members and Team accounts 15" (the unit left out is the
        first clause's). Each names one other qualifier and holds one value; a run ends at the
        first clause that does not."""
        text = region.text
        cuts = [lo, *(x for m in _CLAUSE_END.finditer(text, lo, hi) for x in (m.start(), m.end())), hi]
        clauses = [(cuts[n], cuts[n + 1]) for n in range(0, len(cuts) - 1, 2)]
        k = next((n for n, (a, b) in enumerate(clauses) if a <= first.start < b), None)
        if k is None:
            return
        for run in (clauses[k + 1:], clauses[:k][::-1]):
            for a, b in run:
                names = _qualifiers_in(rule, text, a, b)
                inside = [i for i, v in enumerate(values) if a <= v.start and v.end <= b]
                if len({n.group(0) for n in names}) != 1 or len(inside) > 1:
                    break
                if inside:
                    i, v = inside[0], values[inside[0]]
                    if i in claimed:
                        continue
                else:
                    i, v = -1, _elliptic(rule, first, text, a, b) if a > first.start else None
                    if v is None:
                        break
                if self._competitor(rule, text, v, lo, hi) or _someone_else(rule, text, v, lo, hi):
                    break
                if i >= 0:
                    claimed.add(i)
                    ours.add(i)
                qualifier = self._qualifier(rule, text, v, lo, hi, block_of)
                why = f"context '{context}' in a parallel clause"
                yield self._observation(rule, doc, region, v, qualifier, why)

    def _history(self, rule: FactRule, doc: Document, text: str, start: int, end: int,
                 chrome: bool = False, dated: str | None = None) -> str:
        """Why a statement is history, not today's value ("" when it is today's): its page (or the
        dated section it is in, ``dated``: a changelog entry) is outside the rule's window or older
        than ``max_age``, or it is said in the past."""
        date = (dated or doc.date) if not chrome else None  # the template is today's, whatever the date
        if date and rule.after and date < rule.after:
            return f"page dated {date}, before {rule.after}"
        if rule.before and (not date or date >= rule.before):
            return f"page dated {date or 'today'}, not before {rule.before}"
        # When it was last said: a post (a page with a publication date, or a dated changelog
        # entry) speaks for its date, or for its last update; a page that only says when it was
        # last updated (a policy "effective 1 March 2023") and a help-center article (kept as
        # today's documentation, however old) are today's text.
        is_post = doc.published and doc.kind != "helpcenter"
        post = max(doc.published or "", doc.updated or "") if is_post else None
        stated = None if chrome else dated or post
        if stated and rule.max_age_days is not None:
            age = ((self.today or _dt.date.today()) - _dt.date.fromisoformat(stated)).days
            if age > rule.max_age_days:
                return f"page dated {stated}, older than max_age"
        lo, hi = _sentence_bounds(text, start, end)
        c_lo, c_hi = _clause_bounds(text, start, end, lo, hi)
        year = (self.today or _dt.date.today()).year
        m = _PAST.search(text, c_lo, start) or _PAST_UNTIL.search(text, c_lo, c_hi)
        if m:
            return f"stated as past ('{m.group(0)}')"
        m = _PAST_YEAR.search(text, c_lo, c_hi)
        if m and int(m.group(1)) < year:
            return f"stated as past ('{m.group(0)}')"
        m = _OLD_VALUE.search(text, max(c_lo, start - 24), start)
        if m or (re.search(r"\bfrom\s+$", text[max(c_lo, start - 8):start]) and _FROM_TO.match(text, end)):
            return f"the value a change starts from ('{(m.group(0) if m else 'from').strip()}')"
        m = _PAST_LEAD.match(text, lo)
        then = m is not None and (not m.group("year") or int(m.group("year")) < year)
        if then and not _PRESENT.search(text, c_lo, c_hi):
            return f"stated as past ('{m.group(0).strip()}')"
        return ""

    def _bare_cells(self, rule: FactRule, region: Region) -> list[Value]:
        """Table cells holding a bare number whose header names the rule's unit ("5" in the
        "Seats" row is 5 seats): the unit is in the header, not repeated in each cell."""
        unit = str(rule.options.get("unit") or "")
        if rule.type != "number" or not unit or not (region.blocks or getattr(region, "_stored", None)):
            return []
        out = []
        for b in region.lines():
            cell = region.text[b.start:b.end]
            headers = " ".join(h for h in (b.row, b.col) if h).lower()
            if not headers or not _BARE_NUMBER.fullmatch(cell) or unit.lower().rstrip("s") not in headers:
                continue
            parsed = _with_unit(rule, cell, unit)
            if parsed is not None:
                out.append(Value(b.start, b.end, cell, parsed.value, parsed.display))
        return out

    def _structural_context(self, rule: FactRule, text: str, block: Any, used: bool = False) -> str | None:
        """Why a value's place makes it a statement, or None: its table headers hold a context
        phrase; with ``context_scope: block`` also its block's lead (a FAQ question, a list's
        introduction) or, when no value of the block was read from a sentence (``used``), the
        block itself; with ``section`` also the headings above it."""
        assert rule.context_re is not None
        headers = [h for h in (getattr(block, "row", None), getattr(block, "col", None)) if h]
        for header in headers:
            m = rule.context_re.search(header)
            if m:
                return f"context '{m.group(0)}' in the table header '{header}'"
        if headers:
            return None  # a cell is what its headers say ("Service credit"), whatever the heading
        if rule.context_scope in ("block", "section"):
            lead = getattr(block, "lead", None)
            headings = getattr(block, "headings", ()) or ()
            if not lead and headings and headings[-1].rstrip().endswith("?"):
                lead = headings[-1]  # a FAQ's question heads its answer as a <dt> does
            m = rule.context_re.search(lead) if lead else None
            if m:
                return f"context '{m.group(0)}' in '{lead}'"
            m = next((c for c in rule.context_re.finditer(text, block.start, block.end)
                      if _states(None, text, c)), None) if not used and block.end > block.start else None
            if m:
                return f"context '{m.group(0)}' in its block"
        if rule.context_scope == "section":
            for heading in reversed(getattr(block, "headings", ()) or ()):
                m = rule.context_re.search(heading)
                if m:
                    return f"context '{m.group(0)}' in the heading '{heading}'"
        return None

    def _competitor(self, rule: FactRule, text: str, v: Value, lo: int, hi: int, block: Any = None) -> bool:
        """Whether the value is attributed to a named competitor: in its clause ("Metricly costs
        $29"), its table cell's headers (their column of a comparison table), or its block's lead
        ("Metricly includes:"). A heading is not enough: "Larkspur vs Metricly" heads both."""
        if rule.competitor_re is None:
            return False
        c_lo, c_hi = _clause_bounds(text, v.start, v.end, lo, hi)
        if rule.competitor_re.search(text, c_lo, c_hi) is not None:
            return True
        if _THEIRS.search(text, c_lo, v.start) and rule.competitor_re.search(text, lo, c_lo):
            return True  # "Quillpoll is a fine product, and its 30-day trial is generous"
        if block is None:
            return False
        near = [getattr(block, "col", None), getattr(block, "row", None), getattr(block, "lead", None)]
        if any(rule.competitor_re.search(h) for h in near if h):
            return True
        # A section headed by the competitor alone ("Countwise", "About Metricly") is theirs.
        headings = getattr(block, "headings", ()) or ()
        m = rule.competitor_re.search(headings[-1]) if headings else None
        return m is not None and len(_WORD.findall(headings[-1])) - len(_WORD.findall(m.group(0))) <= 1 \
            and not _VERSUS.search(headings[-1])

    def _qualifier(self, rule: FactRule, text: str, v: Value, lo: int, hi: int,
                   block_of: Callable[[int], Any] | None = None) -> str:
        parts = []
        if rule.qualifier_re is not None:
            canonical = {q.lower(): q for q in rule.qualifiers}
            # The nearest qualifier in the value's clause, then before it in the sentence ("Pro
            # plan costs $29"), then after it; then the cell's column and row headers, then the
            # headings above it.
            block = block_of(v.start) if block_of is not None else None
            name = self._header_qualifier(rule, block, headings=False)
            if name is None:
                c_lo, c_hi = _clause_bounds(text, v.start, v.end, lo, hi)
                in_clause = _qualifiers_in(rule, text, c_lo, c_hi)
                # Not past the value's block: the next card's list is not this price's plan.
                hi = min(hi, block.end) if block is not None and block.end > v.start else hi
                found = in_clause or _qualifiers_in(rule, text, lo, hi)
                before = [m for m in found if m.end() <= v.start]
                after = [m for m in found if m.start() >= v.end]
                nearest = before[-1] if before else after[0] if after else None
                name = nearest.group(0) if nearest is not None else None
            if name is None:
                name = self._header_qualifier(rule, block, headings=True)
            if name is not None:
                parts.append(canonical.get(name.lower(), name))
        if rule.type == "money" and isinstance(v.value, dict):
            block = block_of(v.start) if block_of is not None else None
            header = " ".join(h for h in (getattr(block, "row", None), getattr(block, "col", None)) if h)
            parts.append(str(v.value.get("period") or period_in(header) or "once"))
            if v.value.get("per"):
                parts.append(str(v.value["per"]))  # a price per seat is another fact than the plan's
        return "/".join(parts)

    @staticmethod
    def _header_qualifier(rule: FactRule, block: Any, headings: bool) -> str | None:
        """A qualifier named by a table cell's column or row header (or, with ``headings``, by a
        heading above the value): "Plus" over the column of "$19"."""
        if block is None or rule.qualifier_re is None:
            return None
        places = [getattr(block, "col", None), getattr(block, "row", None)]
        if headings:
            places = [getattr(block, "lead", None), *reversed(getattr(block, "headings", ()) or ())]
        for where in places:
            m = _qualifier_in(rule, where, 0, len(where)) if where else None
            if m:
                return m.group(0)
        return None

    def _from_jsonld(self, rule: FactRule, doc: Document, region: Region) -> Iterator[Observation]:
        opts = self._options(rule, region)
        opts.pop("placeholders", None)
        for obj in jsonld_objects(region.data):
            for path in rule.jsonld:
                for raw, owner in _at_path(obj, _path_steps(path)):
                    written = str(raw)
                    kind = str(owner.get("contactType") or "").lower() if isinstance(owner, dict) else ""
                    words = rule.words
                    if words & _ROLES and set(_WORD.findall(kind)) & _ROLES - words:
                        continue  # the sales contact point is not the support line
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
                    # An Offer's own name is its plan before the Product's name.
                    name = str((owner or {}).get("name") or obj.get("name") or "")
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
                     qualifier: str, why: str = "") -> Observation:
        snippet, snippet_start = sentence_around(region.text, v.start, v.end)
        loc = Location(doc.touchpoint, doc.url, region.name, v.start, v.end, region.text[v.start:v.end],
                       snippet, snippet_start, doc.title)
        if qualifier and why:
            why = f"{why}; qualifier '{qualifier}'"
        return Observation(rule.id, v.value, v.text, loc, qualifier, v.display, why)

    # -- the cross-document step ----------------------------------------------------------
    def finish(self) -> list[Finding]:
        by_fact: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        rules_by_id = {r.id: r for r in self.rules}
        for o in self.observations:
            if o.history or self._allowed(rules_by_id[o.fact], o):
                continue  # history and allowed values are shown, never compared
            plans = rules_by_id[o.fact].qualifiers
            if plans and o.qualifier.split("/")[0] not in plans:
                # A price with no plan named, for a fact kept apart by plan ("That's $120, $290
                # and $790 per year"): whose it is cannot be told, so it is shown, not compared.
                o.why = f"{o.why}; no {'/'.join(rules_by_id[o.fact].qualifiers)} named: not compared"
                continue
            by_fact[(o.fact, o.qualifier)].append(o)
        rules = {r.id: r for r in self.rules}
        out: list[Finding] = []
        for (fact, qualifier), observations in by_fact.items():
            out.extend(self._findings(rules[fact], qualifier, observations))
        return out

    def _allowed(self, rule: FactRule, o: Observation) -> bool:
        for value, reason in rule.allowed:
            if rule.value_type.same(value.value, o.value, **rule.options):
                o.why = f"{o.why}; allowed: {reason}" if o.why else f"allowed: {reason}"
                return True
        return False

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
        plan = qualifier.split("/")[0]
        if rule.expected_by:
            expected = rule.expected_by.get(plan) or rule.expected_by.get(qualifier)
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
        "locations": [o.location.to_dict() for o in group],
        "why": sorted({o.why for o in group if o.why}),
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


_STEP = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<field>[^=\]]+)=(?P<want>[^\]]*)\])?$")


def _path_steps(path: str) -> list[str]:
    """'contactPoint[contactType=sales].telephone' -> ['contactPoint[contactType=sales]', 'telephone']."""
    return [step for step in re.split(r"\.(?![^\[]*\])", path) if step]


def _at_path(obj: Any, path: list[str]) -> Iterator[tuple[Any, Any]]:
    """(value, the object holding it) at a dotted path; lists are walked through. A step may
    filter by a sibling field: ``contactPoint[contactType=sales].telephone`` reads only the
    sales contact point's number (case-insensitive)."""
    if isinstance(obj, list):
        for item in obj:
            yield from _at_path(item, path)
        return
    if not isinstance(obj, dict) or not path:
        return
    m = _STEP.match(path[0])
    if m and m.group("field"):
        inner = obj.get(m.group("key"))
        items = inner if isinstance(inner, list) else [inner]
        want = m.group("want").strip().lower()
        kept = [x for x in items if isinstance(x, dict)
                and str(x.get(m.group("field").strip()) or "").strip().lower() == want]
        rest = path[1:]
        for x in kept:
            if rest:
                yield from _at_path(x, rest)
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

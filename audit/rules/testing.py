"""Run the examples rules carry (`tests:`), like `semgrep test` runs semgrep-rules' examples.

Each example text is audited alone, as the body of one document, by its rule alone (scope is
left out: examples test what the rule matches, not where it applies).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from audit.auditor import Auditor
from audit.documents import Document, Region
from audit.findings import Finding, value_key
from audit.rules import RuleSet
from audit.rules.base import Rule
from audit.text import clean


@dataclass
class TestFailure:
    rule: Rule
    case: str  # match, no_match or values
    text: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.rule.source}: rule {self.rule.id!r}"
        return f"{where}, {self.case} example {self.text!r}: {self.detail}"


def example_findings(rule: Rule, text: str) -> tuple[list[Finding], Auditor]:
    """The findings (and the auditor, for its fact observations) of one example text."""
    bare = dataclasses.replace(rule, touchpoints=[], urls=[], exclude_urls=[], regions=[],
                               exclude_regions=[])
    auditor = Auditor(RuleSet(rules=[bare]))
    body, tags = clean(text, merge_tags=True)
    doc = Document("example", "website", "example:", "", [Region("body", body, tags)])
    findings = list(auditor.audit([doc])) + auditor.finish()
    return [f for f in findings if f.rule == rule.id], auditor


def run_tests(ruleset: RuleSet) -> tuple[int, list[TestFailure]]:
    """(number of examples run, failures)."""
    count = 0
    failures: list[TestFailure] = []
    for rule in ruleset.rules:
        tests = rule.tests or {}
        for text in tests.get("match") or []:
            count += 1
            found, _ = example_findings(rule, text)
            if not found:
                failures.append(TestFailure(rule, "match", text, "expected a finding, got none"))
        for text in tests.get("no_match") or []:
            count += 1
            found, _ = example_findings(rule, text)
            if found:
                got = "; ".join(f"{f.locations[0].text!r}: {f.message}" if f.locations else f.message
                                for f in found)
                failures.append(TestFailure(rule, "no_match", text, f"expected no finding, got {got}"))
        for case in tests.get("values") or []:
            count += 1
            failures.extend(_value_case(rule, case))
    return count, failures


def _value_case(rule: Rule, case: dict[str, Any]) -> list[TestFailure]:
    _, auditor = example_findings(rule, case["text"])
    observed = [o for o in auditor.facts.observations if o.fact == rule.id]
    want = case["value"]
    got = [o.value for o in observed]
    shown = [o.display for o in observed]
    if want is None or want == []:
        if not got:
            return []
        return [TestFailure(rule, "values", case["text"], f"expected no value, got {shown}")]
    if any(value_key(v) == value_key(want) for v in got) or str(want) in shown:
        return []
    return [TestFailure(rule, "values", case["text"], f"expected {want!r}, got {shown or 'no value'}")]

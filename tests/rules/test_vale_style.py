"""Regression against a prose linter's semantics: a hand-written translation of 30 Vale-style
rules (tests/rules/vale_style/, README there) and texts labelled with what Vale would report.

Each text is audited alone; a case agrees when touchaudit reports exactly the (rule, text) pairs
Vale would, in order. The run prints "N agree, N differ" and the differences; it fails when fewer
cases agree than recorded below, so a change that loses agreement is seen (raise the number when
a change gains some).
"""

from __future__ import annotations

from pathlib import Path

from audit.auditor import Auditor
from audit.documents import Document, Region
from audit.rules import load_rules
from audit.yamlfile import loads

HERE = Path(__file__).parent / "vale_style"
# Of 115 cases. The 2 that differ by design: when two alternatives of a consistency rule are
# used equally often, touchaudit keeps the one listed first (the rule's order is its author's
# preference), where Vale keeps the one the file used first.
AGREE_AT_LEAST = 113


def verdicts(auditor: Auditor, text: str) -> list[tuple[str, str]]:
    doc = Document("site", "website", "https://acme.example/", "", [Region("body", text)])
    findings = list(auditor.audit([doc])) + auditor.finish()
    found = [(loc.start, f.rule, loc.text) for f in findings for loc in f.locations]
    return [(rule, match) for _, rule, match in sorted(found)]


def test_vale_style_rules_agree_with_vale() -> None:
    rules = load_rules([HERE / "rules.yaml"])
    cases = loads((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
    agree, differ = 0, []
    for case in cases:
        want = [(a["rule"], a["match"]) for a in case["vale"] or []]
        got = verdicts(Auditor(rules), case["text"])
        if got == want:
            agree += 1
        else:
            differ.append(f"{case['text']!r}\n    vale:       {want}\n    touchaudit: {got}")
    print(f"vale-style regression: {agree} agree, {len(differ)} differ")
    for line in differ:
        print("  " + line)
    assert agree >= AGREE_AT_LEAST, f"{agree} agree, fewer than {AGREE_AT_LEAST}:\n" + "\n".join(differ)

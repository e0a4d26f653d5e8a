"""Structure tests: the shipped rule files, the schema and the docs agree with the option tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.rules import load_rules, rule_files, schema
from audit.rules.docs import DOCS, render
from audit.rules.testing import run_tests

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "rules"


def test_every_shipped_rule_file_passes_its_own_examples():
    files = rule_files([ROOT / "rules"])
    assert files, "the repo ships an example rule set in rules/"
    ruleset = load_rules(files)
    count, failures = run_tests(ruleset)
    assert not failures, "\n".join(map(str, failures))
    assert count > 0


def test_shipped_json_schema_matches_the_option_tables():
    shipped = json.loads((ROOT / "rules" / "touchaudit-rules.schema.json").read_text())
    assert shipped == schema(), "run: touchaudit rules schema -o rules/touchaudit-rules.schema.json"


def test_rule_reference_in_docs_matches_the_option_tables():
    text = DOCS.read_text()
    assert render(text) == text, "run: python -m audit.rules.docs"


def test_every_problem_of_a_broken_rule_file_is_reported_at_once():
    with pytest.raises(InputError) as err:
        load_rules([FIXTURES / "broken.yaml"], touchpoints=["website", "emails"], root=ROOT)
    f = "tests/fixtures/rules/broken.yaml"
    assert str(err.value).splitlines() == [
        f"{f}:3:5: rule 'product-name' is missing the required key 'preferred' (the one correct form, "
        "e.g. CloudSync)",
        f"{f}:6:5: unknown key 'prefered' in rule 'product-name' (did you mean 'preferred'?)",
        f"{f}:7:9: 'id' in rule 'Bad Id' must be lower-case letters, digits, '-', '_' or '.' "
        "(e.g. 'product-name')",
        f"{f}:10:9: 'avoid' in rule 'Bad Id' must be a text, or a list of texts and {{text: ...}} / "
        "{pattern: ...} mappings; got a list",
        f"{f}:11:15: 'severity' in rule 'Bad Id' must be one of error, warning, info; got the text "
        "'critical'",
        f"{f}:15:12: 'urls' in rule 'regex-rule' is not a valid regular expression: missing ), "
        "unterminated subpattern at position 0",
        f"{f}:16:18: 'touchpoints' in rule 'regex-rule' names unknown touchpoint 'webiste' "
        "(did you mean 'website'?)",
        f"{f}:17:14: 'regions' in rule 'regex-rule' names unknown region 'sidebar'; expected one of "
        "title, meta, heading, body, nav, footer, alt, jsonld, subject, preheader, link, button, quote",
        f"{f}:18:5: duplicate rule id 'regex-rule' (first defined at {f}:12:5)",
        f"{f}:22:11: 'kind' in rule 'k' must be one of term, language, consistency, fact; got 'terms' "
        "(did you mean 'term'?)",
        f"{f}:25:11: 'type' in rule 'trial' must be one of money, duration, percent, phone, email, url, "
        "date, number, text; got the text 'price'",
        f"{f}:30:15: 'expected' in rule 'trial2' is not a duration value: 'soon'",
    ]


def test_yaml_syntax_error_and_code_tags_are_problems_not_crashes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n    kind: term\n    preferred: [a\n")
    with pytest.raises(InputError, match=r"bad.yaml:\d+:\d+: YAML syntax error"):
        load_rules([bad])
    bad.write_text("rules:\n  - id: x\n    kind: term\n    preferred: !!python/object/apply:os.system [id]\n")
    with pytest.raises(InputError, match=r"bad.yaml:4:16: YAML tag .* not allowed"):
        load_rules([bad])


def test_rules_check_and_rules_test_commands_exit_codes(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "audit.cli", *args], capture_output=True,
                              text=True, cwd=ROOT)

    broken = run("rules", "check", "--config", str(tmp_path / "none.yaml"), str(FIXTURES / "broken.yaml"))
    assert broken.returncode == 2
    assert broken.stderr.count("broken.yaml:") == 12
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        "rules:\n  - id: name\n    kind: term\n    preferred: CloudSync\n    variants: [Cloud Sync]\n"
        "    tests:\n      match: [CloudSync rocks]\n      no_match: [Cloud Sync rocks]\n")
    result = run("rules", "test", "--config", str(tmp_path / "none.yaml"), str(failing))
    assert result.returncode == 1
    assert "rule 'name', match example 'CloudSync rocks': expected a finding, got none" in result.stdout
    assert "rule 'name', no_match example 'Cloud Sync rocks': expected no finding" in result.stdout
    assert result.stdout.strip().endswith("0 passed, 2 failed")
    ok = run("rules", "check", "--config", str(tmp_path / "none.yaml"), str(ROOT / "rules"))
    assert ok.returncode == 0, ok.stderr


def test_rules_check_proves_every_form_matches_itself(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "rules:\n"
        "  - id: company\n"
        "    kind: term\n"
        "    preferred: Acme Inc.\n"
        "    variants: ['Acme, Inc.', 'Acme  Inc', {pattern: 'x*'}]\n"
        "  - id: wrapped\n"
        "    kind: language\n"
        "    avoid: [\"log\\nin\", log in]\n")
    proc = subprocess.run([sys.executable, "-m", "audit.cli", "rules", "check", "--config",
                           str(tmp_path / "none.yaml"), str(tmp_path / "r.yaml")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert [line.split(": ", 1)[0].rsplit(":", 2)[1:] for line in lines] == [["5", "30"], ["5", "53"],
                                                                              ["8", "13"]]
    assert "form 'Acme  Inc' cannot match itself" in lines[0]
    assert "pattern 'x*' matches empty text" in lines[1]
    assert "holds a line break" in lines[2]
    assert "Traceback" not in proc.stderr


def test_a_regex_that_can_backtrack_catastrophically_is_refused_wherever_it_is_written(tmp_path):
    bad = "(a+)+b"
    (tmp_path / "r.yaml").write_text(
        "rules:\n"
        "  - id: t\n"
        "    kind: term\n"
        "    preferred: Acme\n"
        f"    variants: [{{pattern: '{bad}'}}]\n"
        f"    urls: ['{bad}']\n"
        f"    exclude_urls: ['(x|xy)*z']\n"
        f"    allow_in: ['(\\w+\\s?)+$']\n"
        f"    exceptions: [{{pattern: '(.*a){{20}}'}}]\n")
    with pytest.raises(InputError) as err:
        load_rules([tmp_path / "r.yaml"])
    lines = str(err.value).splitlines()
    assert len(lines) == 5 and all("can backtrack catastrophically" in line for line in lines), lines
    assert [line.split(": ", 1)[0].rsplit(":", 2)[1] for line in lines] == ["5", "6", "7", "8", "9"]


def test_a_pattern_search_that_runs_too_long_is_given_up_and_said(caplog):
    from audit.match import _search
    from audit.rules.forms import Form

    slow = Form("(a|aa)+$", pattern=True).compiled(True)  # never accepted by a rule file
    assert _search(slow, "a" * 5000 + "!") == []  # returns (a hung search would never)
    assert "gave up" in caplog.text


def test_fact_options_are_type_checked_against_their_value_type(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "rules:\n"
        "  - {id: a, kind: fact, type: text, context: [motto],\n"
        "     options: {pattern: 'motto (\\w+', threshold: 'high'}}\n"
        "  - {id: b, kind: fact, type: text, context: [motto], options: {pattern: [a, b], threshold: 150}}\n"
        "  - {id: c, kind: fact, type: money, context: [price], options: {currency: dollars, unit: GB}}\n"
        "  - {id: d, kind: fact, type: phone, context: [call], options: {region: Narnia}}\n"
        "  - {id: e, kind: fact, type: text, context: [motto], options: {pattern: 'a (?P<value>\\w+)'}}\n")
    with pytest.raises(InputError) as err:
        load_rules([tmp_path / "r.yaml"])
    got = [(p.line, p.message.split(" must ")[0].split(" is ")[0].split(":")[0]) for p in err.value.problems]
    assert got == [
        (3, "'pattern' in 'options' of a text fact in rule 'a'"),
        (3, "'threshold' in 'options' of a text fact in rule 'a'"),
        (4, "'pattern' in 'options' of a text fact in rule 'b'"),
        (4, "'threshold' in 'options' of a text fact in rule 'b'"),
        (5, "'currency' in 'options' of a money fact in rule 'c'"),
        (5, "unknown key 'unit' in 'options' of a money fact in rule 'c'; expected one of currency, period"),
        (6, "'region' in 'options' of a phone fact in rule 'd'"),
    ]


def test_the_json_schema_holds_each_value_types_options():
    fact = next(v for v in schema()["properties"]["rules"]["items"]["oneOf"] if v["title"] == "fact rule")
    by_type = {case["if"]["properties"]["type"]["const"]: case["then"]["properties"]["options"]
               for case in fact["allOf"]}
    assert by_type["text"]["properties"]["threshold"]["type"] == "number"
    assert by_type["text"]["additionalProperties"] is False
    assert set(by_type["money"]["properties"]) == {"currency", "period"}

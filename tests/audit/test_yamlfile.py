"""Hostile YAML: every file here is written by the test, and each must fail fast with its place."""

from __future__ import annotations

import datetime
import resource
from pathlib import Path

import pytest

from audit import yamlfile
from audit.config import load_config
from audit.errors import InputError
from audit.rules import load_rules
from audit.yamlfile import loads, read_bytes, read_text

BOMB = "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9 if p else ['x'] * 9)}]\n"
               for p, n in zip([None, *"abcdefgh"], "abcdefghi", strict=True)) + "rules: *i\n"


def _problems(text: str) -> list[tuple[int, int, str]]:
    return read_text(text).problems


def test_an_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit_without_growing():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problems = _problems(BOMB)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(problems) == 1
    line, _col, message = problems[0]
    assert line == 6 and "alias bomb" in message  # 9**6 values: the first line past 100,000
    assert grown_mb < 50


def test_a_rule_file_holding_an_alias_bomb_is_a_problem_of_that_file(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    with pytest.raises(InputError, match=r"bomb.yaml:6:\d+: aliases here expand to more than"):
        load_rules([bomb])


def test_a_few_aliases_and_merge_keys_still_work():
    data = loads("base: &base {severity: warning, kind: term}\n"
                 "rule: {<<: *base, severity: error}\n"
                 "list: [*base, *base]\n")
    assert data["rule"] == {"severity": "error", "kind": "term"}  # its own key wins over the merged one
    assert data["list"] == [{"severity": "warning", "kind": "term"}] * 2


@pytest.mark.parametrize("flow", [False, True], ids=["block", "flow"])
def test_deep_nesting_is_refused_with_its_place(flow: bool):
    depth = 2_000
    text = "x: " + "[" * depth + "]" * depth + "\n" if flow else "".join(
        "  " * i + "a:\n" for i in range(depth)) + "  " * depth + "b\n"
    problems = _problems(text)
    assert len(problems) == 1
    line, _col, message = problems[0]
    assert f"nest at most {yamlfile.MAX_DEPTH}" in message
    assert line == (1 if flow else yamlfile.MAX_DEPTH + 1)


@pytest.mark.parametrize(("text", "line", "col"), [
    ("--- !acme\nrules: []\n", 1, 5),
    ("rules:\n  - !rule\n    id: x\n", 2, 5),
    ("rules:\n  - id: x\n    options: {pattern: !!python/name:os.system }\n", 3, 24),
    ("rules:\n  - id: x\n    options:\n      region: !Ref Region\n", 4, 15),
    ("rules:\n  - id: x\n    variants: [a, !!binary aGk=]\n", 3, 19),
    ("rules:\n  - id: x\n    tests: {match: [!!set {a}]}\n", 3, 21),
    ("%TAG ! tag:evil.example,2026:\n---\nrules: []\n", 1, 1),
], ids=["document", "rule", "options", "options-local", "list-item", "nested", "directive"])
def test_yaml_tags_are_refused_wherever_they_stand(text: str, line: int, col: int):
    problems = _problems(text)
    assert [(p[0], p[1]) for p in problems] == [(line, col)]
    assert "not allowed" in problems[0][2]


def test_yaml_own_scalar_tags_are_kept_and_checked():
    assert loads("a: !!str 123\nb: !!int '7'\nc: !!float 2\n") == {"a": "123", "b": 7, "c": 2.0}
    assert _problems("a: !!int seven\n") == [(1, 4, "'seven' is not a YAML int")]


def test_invalid_utf8_is_reported_at_its_real_line_and_column():
    data = "rules:\n  - id: x\n    kind: term\n    preferred: Café\n".encode() + b"    # caf\xe9\n"
    assert read_bytes(data).problems == [(5, 10, "invalid UTF-8 (byte 0xe9); save the file as UTF-8")]
    assert read_bytes("\ufeffa: 1\n".encode()).data == {"a": 1}  # a BOM is fine


def test_invalid_utf8_in_a_config_names_the_config(tmp_path: Path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_bytes(b"store: touchaudit.db\n# \xff\ntouchpoints: []\n")
    with pytest.raises(InputError, match=r"touchaudit.yaml:2:3: invalid UTF-8"):
        load_config(cfg)


def test_yaml_1_2_core_scalars_as_editors_read_them():
    data = loads("a: no\nb: on\nc: 1:30\nd: true\ne: 010\nf: 0x1F\ng: 1e3\nh: ~\ni: 2026-03-01\nj: .inf\n"
                 "k: '12'\nl: 1_000\n")
    assert data == {"a": "no", "b": "on", "c": "1:30", "d": True, "e": 10, "f": 31, "g": 1000.0,
                    "h": None, "i": datetime.date(2026, 3, 1), "j": float("inf"), "k": "12", "l": "1_000"}


def test_duplicate_keys_are_each_reported_and_the_rest_is_read():
    read = read_text("a: 1\nb: 2\na: 3\n")
    assert read.problems == [(3, 1, "duplicate key 'a': each key may appear once (it is first on line 1)")]
    assert read.data == {"a": 1, "b": 2}


def test_a_second_document_and_an_unknown_alias_are_problems():
    assert "second YAML document" in _problems("a: 1\n---\nb: 2\n")[0][2]
    assert _problems("a: *nowhere\n")[0][:2] == (1, 4)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1_000)
    big = tmp_path / "big.yaml"
    big.write_text("rules:\n" + "  - {id: x}\n" * 200)
    problems = yamlfile.read_file(big).problems
    assert len(problems) == 1 and "may be at most" in problems[0][2]


def test_a_ten_megabyte_rule_file_is_read_and_checked(tmp_path: Path):
    rule = ("  - id: term-{n}\n    kind: term\n    description: The product name number {n} is written one "
            "way everywhere we speak of it.\n    preferred: Product{n}\n    variants: [Product {n}, "
            "Product-{n}]\n    severity: warning\n")
    count = 10_500_000 // len(rule.format(n=10_000))
    path = tmp_path / "big.yaml"
    path.write_text("rules:\n" + "".join(rule.format(n=n) for n in range(count)))
    assert path.stat().st_size > 10_000_000
    ruleset = load_rules([path])
    assert len(ruleset.rules) == count
    assert ruleset.rules[-1].source.endswith(f":{2 + 6 * (count - 1)}:5")

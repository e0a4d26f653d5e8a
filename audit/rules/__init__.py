"""Rule files -> validated Rule objects, with every problem reported at once.

A rule file is YAML with one key, ``rules:``, a list of rules; each rule's ``kind`` picks its
option table (``KIND``/``OPTIONS`` of the kind's module) on top of the shared ``COMMON`` keys.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from audit.errors import InputError, Problem
from audit.options import Option, Source, json_schema, load_yaml, validate
from audit.rules import consistency, fact, language, term
from audit.rules.base import COMMON, Rule
from audit.yamlfile import MarkedMap, MarkedSeq

KINDS: dict[str, ModuleType] = {m.KIND: m for m in (term, language, consistency, fact)}

FILE = [Option("rules", "maps", "the rules of this file", required=True, item="rule")]
SCHEMA_FILE = "touchaudit-rules.schema.json"


@dataclass
class RuleSet:
    """Every rule loaded, in file order, and what they were read from."""

    rules: list[Rule] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    digest: str = ""
    # rule id -> a digest of its definition (examples left out): what a re-audit compares
    digests: dict[str, str] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]


def rule_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders to their *.yaml / *.yml files (not the ignore list), in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml")
                          and not f.name.startswith(("ignore", ".")))
        else:
            out.append(p)
    return out


def load_rules(
    paths: Iterable[Path | str], touchpoints: Iterable[str] | None = None, root: Path | None = None
) -> RuleSet:
    """Load and check rule files; raise InputError naming every problem in every file."""
    problems: list[Problem] = []
    files = rule_files(paths)
    ruleset = RuleSet(files=files)
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    known_tps = set(touchpoints) if touchpoints is not None else None
    if not files:
        problems.append(Problem(str(next(iter(map(str, paths)), "rules")), 1, 1,
                                "no rule files found; expected *.yaml files with a 'rules:' list"))
    for path in files:
        shown = _display(path, root)
        src = load_yaml(path, display=shown)
        digest.update(src.text.encode())
        if src.data is not None or not src.problems:
            ruleset.rules.extend(_rules_of(src, known_tps, seen, ruleset.digests))
        problems += src.problems
    if problems:
        raise InputError(problems)
    ruleset.digest = digest.hexdigest()
    return ruleset


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.resolve().relative_to((root or Path.cwd()).resolve()))
    except ValueError:
        return str(path)


def _line_col(source: str) -> tuple[int, int]:
    _, line, col = source.rsplit(":", 2)
    return int(line), int(col)


def _rules_of(src: Source, touchpoints: set[str] | None, seen: dict[str, str],
              digests: dict[str, str] | None = None) -> list[Rule]:
    """The valid rules of one parsed file; problems (and duplicate ids) go to ``src``; each
    rule's definition digest goes to ``digests``."""
    if src.data is None:
        src.problem(1, 1, "the rule file is empty; expected a mapping with a 'rules:' list")
        return []
    if not isinstance(src.data, dict):
        src.problem(1, 1, "a rule file must be a mapping with a 'rules:' list")
        return []
    top = validate(src, src.data, [Option("rules", "raw", "", required=True)], "the rule file")
    items = src.data.get("rules")
    if items is None or "rules" not in top:
        return []
    if not isinstance(items, list):
        line, col = top["_pos"].get("rules", (1, 1))
        src.problem(line, col, "'rules' must be a list of rules")
        return []
    out = []
    for i, item in enumerate(items):
        line, col = _item_pos(items, i)
        if not isinstance(item, dict):
            src.problem(line, col, f"rule {i + 1} must be a mapping with 'id' and 'kind'")
            continue
        label = f"rule {item.get('id')!r}" if isinstance(item.get("id"), str) else f"rule {i + 1}"
        rule_id = item.get("id")
        if isinstance(rule_id, str):
            if rule_id in seen:
                src.problem(line, col, f"duplicate rule id {rule_id!r} (first defined at {seen[rule_id]})")
                continue
            seen[rule_id] = f"{src.path}:{line}:{col}"
        kind = item.get("kind")
        if kind not in KINDS:
            where = _key_pos(item, "kind") or (line, col)
            if kind is None:
                src.problem(line, col, f"{label} is missing the required key 'kind' "
                            f"(one of {', '.join(KINDS)})")
            else:
                hint = difflib.get_close_matches(str(kind), list(KINDS), n=1)
                more = f" (did you mean {hint[0]!r}?)" if hint else ""
                src.problem(*where, f"'kind' in {label} must be one of {', '.join(KINDS)}; "
                            f"got {kind!r}{more}")
            continue
        module = KINDS[kind]
        raw = validate(src, item, COMMON + module.OPTIONS, label, (line, col))
        if any(raw.get(o.name) is None for o in COMMON + module.OPTIONS if o.required):
            continue
        before = len(src.problems)
        _check_scope(src, raw, label, touchpoints)
        extra = getattr(module, "check_raw", None)
        if extra:
            extra(src, raw, label)
        if len(src.problems) > before:
            continue
        try:
            out.append(module.compile_rule(raw, f"{src.path}:{line}:{col}"))
            if digests is not None:
                digests[out[-1].id] = rule_digest(item)
        except ValueError as exc:
            src.problem(line, col, f"{label}: {exc}")
    return out


def rule_digest(item: dict[str, Any]) -> str:
    """A digest of a rule's definition as written, without its examples (``tests:`` decide
    nothing the audit finds) and whatever its place in the file."""
    body = {k: v for k, v in item.items() if k != "tests"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=repr).encode()).hexdigest()[:32]


def _item_pos(items: Any, i: int) -> tuple[int, int]:
    return items.item_at(i) if isinstance(items, MarkedSeq) else (1, 1)


def _key_pos(item: Any, key: str) -> tuple[int, int] | None:
    return item.value_at(key) if isinstance(item, MarkedMap) and key in item else None


def _check_scope(src: Source, raw: dict[str, Any], label: str, touchpoints: set[str] | None) -> None:
    if touchpoints is None:
        return
    for name in raw.get("touchpoints") or []:
        if name not in touchpoints:
            line, col = raw["_pos"].get("touchpoints", (raw["_line"], raw["_col"]))
            hint = difflib.get_close_matches(name, sorted(touchpoints), n=1)
            have = ", ".join(sorted(touchpoints))
            more = f" (did you mean {hint[0]!r}?)" if hint else f"; the config has {have}"
            src.problem(line, col, f"'touchpoints' in {label} names unknown touchpoint {name!r}{more}")


def schema() -> dict[str, Any]:
    """The JSON Schema of rule files, generated from the same option tables the validator uses."""
    variants = []
    for kind, module in KINDS.items():
        s = json_schema(COMMON + module.OPTIONS)
        s["properties"]["kind"] = {"const": kind, "description": "the rule kind"}
        s["required"] = sorted({"id", "kind", *s.get("required", [])})
        s["title"] = f"{kind} rule"
        if hasattr(module, "schema_of"):
            module.schema_of(s)
        variants.append(s)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "touchaudit rule file",
        "type": "object",
        "properties": {"rules": {"type": "array", "items": {"oneOf": variants}}},
        "required": ["rules"],
        "additionalProperties": False,
    }

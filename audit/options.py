"""Option tables and the one validator that checks YAML files against them.

Config files and every rule kind declare their keys as a table of :class:`Option` (name, type,
default, one-line doc), the way yamllint rules declare ``CONF``/``DEFAULT``. One validator checks a
parsed file against a table with the YAML parser's marks, so every problem is reported at once as
``file:line:col: message``; the same tables generate the JSON Schema and the docs.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import Problem, shown
from audit.yamlfile import MarkedMap, MarkedSeq, read_file, read_text

# Types an option can have. "strings" accepts one string or a list and yields a list; "any" any
# value, as plain dicts and lists; "raw" any value as read (the caller checks it: a rule file's
# whole list of rules is not copied to be looked at once).
TYPES = ("str", "int", "float", "bool", "strings", "regex", "regexes", "choice", "map", "maps",
         "any", "raw", "number", "date", "forms")


@dataclass
class Option:
    """One key of a mapping: its type, default and a one-line doc for the reference."""

    name: str
    type: str
    doc: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    table: list[Option] | None = None  # for "map" and "maps"
    item: str = "item"  # for "maps": what one item is called in messages ("touchpoint", "rule")
    check: Callable[[Any], str | None] | None = None  # extra check: returns an error message
    check_item: Callable[[str], str | None] | None = None  # for "strings": each item, at its place

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"option {self.name}: unknown type {self.type}")


@dataclass
class Node:
    """A validated value with the position it came from (1-based line and column)."""

    value: Any
    line: int
    col: int


@dataclass
class Source:
    """A parsed YAML file and the problems found in it so far."""

    path: str
    data: Any
    text: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, col, message))


def load_yaml(path: str | Path, text: str | None = None, display: str | None = None) -> Source:
    """Parse a YAML file into marked containers (audit/yamlfile.py); what is wrong becomes Problems.

    Nothing in the file is executed and nothing in it can make reading hang or grow without
    bound: tags, alias bombs, deep nesting and invalid UTF-8 are problems at their line.
    """
    name = shown(display or str(path))
    read = read_file(path) if text is None else read_text(text)
    src = Source(name, read.data, read.text)
    for line, col, message in read.problems:
        src.problem(line, col, message)
    return src


def _pos(container: Any, key: Any) -> tuple[int, int]:
    """1-based line/col of a key in a map or an item in a sequence (of the key itself)."""
    if isinstance(container, MarkedMap):
        return container.key_at(key)
    if isinstance(container, MarkedSeq) and isinstance(key, int):
        return container.item_at(key)
    return _node_pos(container)


def _value_pos(container: Any, key: Any) -> tuple[int, int]:
    if isinstance(container, MarkedMap):
        return container.value_at(key)
    return _pos(container, key)


def value_position(container: Any, key: Any) -> tuple[int, int]:
    """1-based line/col of the value of ``key`` in a map read from YAML (for messages)."""
    return _value_pos(container, key)


def _node_pos(node: Any) -> tuple[int, int]:
    if isinstance(node, (MarkedMap, MarkedSeq)):
        return node.line, node.col
    return 1, 1


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return type(value).__name__


_EXPECT = {
    "str": "a text",
    "int": "a whole number",
    "float": "a number",
    "number": "a number",
    "bool": "true or false",
    "strings": "a text or a list of texts",
    "regex": "a regular expression",
    "regexes": "a regular expression or a list of them",
    "map": "a mapping",
    "maps": "a list of mappings",
    "date": "a date written YYYY-MM-DD",
    "forms": "a text, or a list of texts and {text: ...} / {pattern: ...} mappings",
}

# The keys of a form written as a mapping (audit/rules/forms.py).
FORM = [
    Option("text", "str", "a literal phrase, matched on whole tokens"),
    Option("pattern", "str", "a regular expression over the text (Python syntax)"),
    Option("ignorecase", "bool", "match in any case (default: the rule's ignorecase)"),
    Option("words", "bool", "a pattern matches whole words only", default=True),
]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate(
    src: Source, node: Any, table: list[Option], where: str, pos: tuple[int, int] = (1, 1)
) -> dict[str, Any]:
    """Check a mapping against an option table; return values (defaults filled in).

    Every problem is appended to ``src.problems``; the returned dict holds what could be read,
    plus ``_line``/``_col`` (where the mapping starts) and ``_pos`` (key -> (line, col)).
    """
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        src.problem(*pos, f"{where} must be a mapping; got {type_name(node)}")
        return out
    line, col = _node_pos(node) if isinstance(node, MarkedMap) else pos
    out["_line"], out["_col"], out["_pos"] = line, col, {}
    known = {o.name: o for o in table}
    for key in node:
        kpos = _pos(node, key)
        if key not in known:
            hint = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            msg = f"unknown key {key!r} in {where}"
            msg += f" (did you mean {hint[0]!r}?)" if hint else f"; expected one of {', '.join(known)}"
            src.problem(*kpos, msg)
            continue
        out["_pos"][key] = _value_pos(node, key)
    for opt in table:
        if opt.name not in node:
            if opt.required:
                src.problem(line, col, f"{where} is missing the required key {opt.name!r} ({opt.doc})")
            elif opt.default is not None:
                out[opt.name] = _copy(opt.default)
            else:
                out[opt.name] = None
            continue
        vpos = _value_pos(node, opt.name)
        value = coerce(src, node[opt.name], opt, f"'{opt.name}' in {where}", vpos)
        if value is not _INVALID:
            out[opt.name] = value
        else:
            out[opt.name] = _copy(opt.default)
    return out


_INVALID = object()


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def coerce(src: Source, value: Any, opt: Option, what: str, pos: tuple[int, int]) -> Any:
    """Check one value against its option; report and return _INVALID when it does not fit."""
    t = opt.type

    def bad(expected: str | None = None) -> Any:
        src.problem(*pos, f"{what} must be {expected or _EXPECT.get(t, t)}; got {type_name(value)}")
        return _INVALID

    result: Any
    if t == "raw":
        result = value
    elif t == "any":
        result = _plain(value)
    elif t == "str":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return bad()
        result = str(value)
    elif t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return bad()
        result = int(value)
    elif t in ("float", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad()
        result = float(value)
    elif t == "bool":
        if not isinstance(value, bool):
            return bad()
        result = value
    elif t == "date":
        # YAML reads an unquoted 2021-03-01 as a date; a quoted one stays text.
        text = value.isoformat()[:10] if isinstance(value, (datetime.date, datetime.datetime)) else value
        if not isinstance(text, str) or not _DATE.match(text):
            return bad()
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return bad("a real date written YYYY-MM-DD")
        result = text
    elif t == "choice":
        if not isinstance(value, str) or value not in opt.choices:
            return bad(f"one of {', '.join(opt.choices)}")
        result = value
    elif t in ("strings", "regexes"):
        items = value if isinstance(value, list) else [value]
        result = []
        for i, item in enumerate(items):
            ipos = _pos(value, i) if isinstance(value, list) else pos
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                src.problem(*ipos, f"{what} must be {_EXPECT[t]}; got {type_name(item)}")
                return _INVALID
            if t == "regexes" and not _regex_ok(src, str(item), what, ipos):
                return _INVALID
            problem = opt.check_item(str(item)) if opt.check_item else None
            if problem:
                src.problem(*ipos, f"{what}: {str(item)!r} {problem}")
                return _INVALID
            result.append(str(item))
    elif t == "forms":
        result = _forms(src, value, what, pos)
        if result is _INVALID:
            return _INVALID
    elif t == "regex":
        if not isinstance(value, str):
            return bad()
        if not _regex_ok(src, value, what, pos):
            return _INVALID
        result = value
    elif t == "map":
        if not isinstance(value, dict):
            return bad()
        # without a table the mapping is kept as read (with its marks), for a later, typed check
        result = validate(src, value, opt.table or [], what, pos) if opt.table else value
    elif t == "maps":
        if not isinstance(value, list):
            return bad()
        result = []
        for i, item in enumerate(value):
            ipos = _pos(value, i)
            if not isinstance(item, dict):
                src.problem(*ipos, f"{opt.item} {i + 1} must be a mapping; got {type_name(item)}")
                continue
            label = item.get("id", item.get("name"))
            name = f"{opt.item} {label!r}" if isinstance(label, str) else f"{opt.item} {i + 1}"
            result.append(validate(src, item, opt.table or [], name, ipos))
    else:  # pragma: no cover - guarded by Option.__post_init__
        raise AssertionError(t)
    if opt.check is not None:
        message = opt.check(result)
        if message:
            src.problem(*pos, f"{what} {message}")
            return _INVALID
    return result


def _regex_ok(src: Source, pattern: str, what: str, pos: tuple[int, int]) -> bool:
    from audit.rules.forms import pattern_problem  # rule forms and options share one linter

    try:
        re.compile(pattern)
    except re.error as exc:
        src.problem(*pos, f"{what} is not a valid regular expression: {exc.msg} at position {exc.pos}")
        return False
    problem = pattern_problem(pattern)
    if problem:
        src.problem(*pos, f"{what}: {pattern!r} {problem}")
        return False
    return True


def _forms(src: Source, value: Any, what: str, pos: tuple[int, int]) -> Any:
    """Forms: texts, or mappings with ``text`` or ``pattern`` (and ``ignorecase``, ``words``)."""
    from audit.rules.forms import Form, form_of, pattern_problem

    items = value if isinstance(value, list) else [value]
    out: list[Form] = []
    ok = True
    for i, item in enumerate(items):
        ipos = _pos(value, i) if isinstance(value, list) else pos
        if isinstance(item, dict):
            raw = validate(src, item, FORM, f"form {i + 1} of {what}", ipos)
            given = [k for k in ("text", "pattern") if raw.get(k) is not None]
            if len(given) != 1:
                src.problem(*ipos, f"form {i + 1} of {what} needs exactly one of 'text' or 'pattern'")
                ok = False
                continue
            if raw.get("pattern") is not None:
                problem = pattern_problem(raw["pattern"])
                if problem:
                    src.problem(*raw["_pos"].get("pattern", ipos), f"{what}: pattern {raw['pattern']!r} "
                                f"{problem}")
                    ok = False
                    continue
            out.append(form_of(raw, *raw["_pos"].get(given[0], ipos)))
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            if not str(item).strip():
                src.problem(*ipos, f"{what} has an empty form")
                ok = False
                continue
            out.append(Form(str(item), line=ipos[0], col=ipos[1]))
        else:
            src.problem(*ipos, f"{what} must be {_EXPECT['forms']}; got {type_name(item)}")
            ok = False
    return out if ok else _INVALID


def _plain(value: Any) -> Any:
    """Marked containers -> plain dict/list, for values kept as they are."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def json_schema(table: list[Option]) -> dict[str, Any]:
    """The JSON Schema of a mapping described by an option table."""
    props: dict[str, Any] = {}
    for opt in table:
        props[opt.name] = _schema_of(opt)
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    required = [o.name for o in table if o.required]
    if required:
        schema["required"] = required
    return schema


def _schema_of(opt: Option) -> dict[str, Any]:
    s: dict[str, Any]
    t = opt.type
    if t == "str" or t == "regex":
        s = {"type": "string"}
    elif t == "int":
        s = {"type": "integer"}
    elif t in ("float", "number"):
        s = {"type": "number"}
    elif t == "bool":
        s = {"type": "boolean"}
    elif t == "date":
        s = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif t == "choice":
        s = {"enum": list(opt.choices)}
    elif t in ("strings", "regexes"):
        s = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    elif t == "forms":
        form = {"oneOf": [{"type": "string"}, json_schema(FORM)]}
        s = {"oneOf": [{"type": "string"}, {"type": "array", "items": form}]}
    elif t == "map":
        s = json_schema(opt.table) if opt.table else {"type": "object"}
    elif t == "maps":
        s = {"type": "array", "items": json_schema(opt.table) if opt.table else {"type": "object"}}
    else:
        s = {}
    s["description"] = opt.doc
    if opt.default is not None:
        s["default"] = opt.default
    return s


def reference(table: list[Option], indent: int = 0) -> list[str]:
    """Markdown rows documenting an option table (for docs/rules.md)."""
    rows = []
    for opt in table:
        default = "" if opt.default is None else f"`{opt.default!r}`"
        kind = opt.type if opt.type != "choice" else " \\| ".join(opt.choices)
        req = " (required)" if opt.required else ""
        rows.append(f"| {'&nbsp;' * 4 * indent}`{opt.name}`{req} | {kind} | {default} | {opt.doc} |")
        if opt.table:
            rows.extend(reference(opt.table, indent + 1))
    return rows

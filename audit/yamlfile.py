"""Reading the YAML files people write: positions kept, nothing executed, nothing too big to refuse.

Rule files and configs come from many hands and run unattended, so reading one must finish fast
and never grow without bound. The document is assembled here from libyaml's event stream (PyYAML's
C parser) rather than by a constructor, which keeps a 10 MB rule file to seconds and lets every
limit be checked while reading, at the place it is broken:

- aliases may add at most :data:`MAX_ALIASED` values in all (an "alias bomb" of nested aliases
  would otherwise expand to gigabytes when the values are walked);
- containers nest at most :data:`MAX_DEPTH` deep, and a file is at most :data:`MAX_BYTES`;
- a tag other than YAML's own scalar and container tags (``!!python/object``, ``!Ref``, a tag on
  the document) is refused wherever it stands: these files are data, never code;
- invalid UTF-8 is reported at its line and column, a duplicate key at the second one.

Plain scalars are read with the YAML 1.2 core schema, as ruamel and most editors do: ``no``, ``on``
and ``1:30`` stay text, only ``true``/``false`` are booleans.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASED = 100_000

_CORE = "tag:yaml.org,2002:"
_CONTAINER_TAGS = {_CORE + "map", _CORE + "seq"}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_STAMP = re.compile(r"^\d{4}-\d\d?-\d\d?(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d+)?"
                    r"(?:[ \t]*(?:Z|[-+]\d\d(?::?\d\d)?))?$")


class MarkedMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it, each key and each value stood (1-based line, column)."""

    __slots__ = ("line", "col", "keys_at", "values_at")

    def __init__(self, line: int = 1, col: int = 1) -> None:
        super().__init__()
        self.line, self.col = line, col
        self.keys_at: dict[Any, tuple[int, int]] = {}
        self.values_at: dict[Any, tuple[int, int]] = {}

    def key_at(self, key: Any) -> tuple[int, int]:
        return self.keys_at.get(key, (self.line, self.col))

    def value_at(self, key: Any) -> tuple[int, int]:
        return self.values_at.get(key) or self.key_at(key)


class MarkedSeq(list):  # type: ignore[type-arg]
    """A sequence that remembers where it and each item stood (1-based line, column)."""

    __slots__ = ("line", "col", "items_at")

    def __init__(self, line: int = 1, col: int = 1) -> None:
        super().__init__()
        self.line, self.col = line, col
        self.items_at: list[tuple[int, int]] = []

    def item_at(self, index: int) -> tuple[int, int]:
        try:
            return self.items_at[index]
        except IndexError:
            return self.line, self.col


@dataclass
class Read:
    """What a file held (None when it could not be read) and every problem found reading it."""

    data: Any
    text: str
    problems: list[tuple[int, int, str]] = field(default_factory=list)


class _Stop(Exception):
    """A limit was crossed: reading goes no further."""

    def __init__(self, line: int, col: int, message: str):
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def read_file(path: str | Path) -> Read:
    """Read a YAML file from disk; an unreadable, oversized or non-UTF-8 file is a problem, not an error."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return Read(None, "", [(1, 1, f"the file is {size / 2**20:.1f} MiB; a YAML file may be at most "
                                          f"{MAX_BYTES // 2**20} MiB")])
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return Read(None, "", [(1, 1, "file not found")])
    except OSError as exc:
        return Read(None, "", [(1, 1, f"cannot read file: {exc.strerror or exc}")])
    return read_bytes(data)


def read_bytes(data: bytes) -> Read:
    """Decode UTF-8 (a BOM allowed), reporting the first invalid byte where it is, then parse."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        return Read(None, "", [(line, col, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
                                           "as UTF-8")])
    return read_text(text)


def read_text(text: str) -> Read:
    """Parse one YAML document into MarkedMap / MarkedSeq / scalars, checking every limit."""
    read = Read(None, text)
    if len(text) > MAX_BYTES:
        read.problems.append((1, 1, f"the text is longer than {MAX_BYTES // 2**20} MiB"))
        return read
    builder = _Builder(read.problems)
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            builder.feed(event)
    except _Stop as stop:
        read.problems.append((stop.line, stop.col, stop.message))
        return read
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if "nesting depth" in what:  # libyaml's own limit, met while scanning ahead of our check
            read.problems.append((*where, f"values nest too deep; a YAML file here may nest at most "
                                          f"{MAX_DEPTH} levels"))
            return read
        if exc.context:
            what = f"{what} ({exc.context})"
        read.problems.append((*where, f"YAML syntax error: {what}"))
        return read
    except yaml.YAMLError as exc:  # the reader's errors (a control character…) carry a position only
        line, col = _position(text, getattr(exc, "position", 0) or 0)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        read.problems.append((line, col, f"YAML syntax error: {reason}"))
        return read
    read.data = builder.document
    return read


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class _Frame:
    __slots__ = ("node", "size", "anchor", "key", "key_at", "merges")

    def __init__(self, node: MarkedMap | MarkedSeq, anchor: str | None):
        self.node, self.size, self.anchor = node, 1, anchor
        self.key: Any = _NO_KEY
        self.key_at = (1, 1)
        self.merges: list[tuple[Any, tuple[int, int]]] = []


_NO_KEY = object()
_MERGE = object()


class _Builder:
    """Turns parser events into one document; ``problems`` gets what is wrong but readable."""

    def __init__(self, problems: list[tuple[int, int, str]]):
        self.problems = problems
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliased = 0
        self.document: Any = None
        self.documents = 0

    def feed(self, event: yaml.Event) -> None:
        mark = event.start_mark
        at = (mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.ScalarEvent):
            self._add(self._scalar(event, at), 1, at, event.anchor, merge_key=self._is_merge(event))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                raise _Stop(*at, f"values nest more than {MAX_DEPTH} levels deep; a YAML file here may "
                                 f"nest at most {MAX_DEPTH}")
            self._tag(event.tag, _CONTAINER_TAGS, at)
            node = MarkedMap(*at) if isinstance(event, yaml.MappingStartEvent) else MarkedSeq(*at)
            self.stack.append(_Frame(node, event.anchor))
            self.stack[-1].key_at = at
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if isinstance(frame.node, MarkedMap):
                self._merge(frame)
            self._add(frame.node, frame.size, (frame.node.line, frame.node.col), frame.anchor)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Stop(*at, f"alias *{event.anchor} names no anchor defined before it")
            value, size = self.anchors[event.anchor]
            self.aliased += size
            if self.aliased > MAX_ALIASED:
                raise _Stop(*at, f"aliases here expand to more than {MAX_ALIASED:,} values (an alias "
                                 "bomb?); write the values out or use fewer aliases")
            self._add(value, size, at, None)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Stop(*at, "a second YAML document ('---'); a file here holds one document")
            if event.explicit and event.tags:
                self.problems.append((*at, f"YAML %TAG directive {list(event.tags)!r} is not allowed "
                                           "(these files are data, never code)"))

    def _is_merge(self, event: yaml.ScalarEvent) -> bool:
        frame = self.stack[-1] if self.stack else None
        return (frame is not None and isinstance(frame.node, MarkedMap) and frame.key is _NO_KEY
                and event.value == "<<" and event.implicit[0])

    def _add(self, value: Any, size: int, at: tuple[int, int], anchor: str | None,
             merge_key: bool = False) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.document = value
            return
        frame = self.stack[-1]
        frame.size += size
        node = frame.node
        if isinstance(node, MarkedSeq):
            node.append(value)
            node.items_at.append(at)
        elif frame.key is _NO_KEY:
            frame.key, frame.key_at = (_MERGE if merge_key else value), at
        else:
            key, frame.key = frame.key, _NO_KEY
            if key is _MERGE:
                frame.merges.append((value, at))
            elif isinstance(key, (MarkedMap, MarkedSeq)):
                self.problems.append((*frame.key_at, "a key must be a text, not a mapping or a list"))
            elif key in node:
                first = node.key_at(key)[0]
                self.problems.append((*frame.key_at, f"duplicate key {key!r}: each key may appear once "
                                                     f"(it is first on line {first})"))
            else:
                node[key] = value
                node.keys_at[key] = frame.key_at
                node.values_at[key] = at

    def _merge(self, frame: _Frame) -> None:
        """``<<: *defaults`` (or a list of them): keys the mapping does not set itself."""
        node = frame.node
        assert isinstance(node, MarkedMap)
        for value, at in frame.merges:
            for source in (value if isinstance(value, MarkedSeq) else [value]):
                if not isinstance(source, MarkedMap):
                    self.problems.append((*at, "'<<' merges a mapping (or a list of them) into this one"))
                    continue
                for key, item in source.items():
                    if key not in node:
                        node[key] = item
                        node.keys_at[key] = at
                        node.values_at[key] = source.value_at(key)

    def _tag(self, tag: str | None, allowed: set[str], at: tuple[int, int]) -> None:
        if tag and tag != "!" and tag not in allowed:
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            self.problems.append((*at, f"YAML tag {shown!r} is not allowed (these files are data, "
                                       "never code)"))

    def _scalar(self, event: yaml.ScalarEvent, at: tuple[int, int]) -> Any:
        tag, value = event.tag, event.value
        if tag in (None, "!") or not tag:
            return _plain(value) if event.implicit[0] and not event.style else value
        if tag == _CORE + "str":
            return value
        if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
            read = _plain(value)
            kind = tag[len(_CORE):]
            ok = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "bool": lambda v: isinstance(v, bool), "null": lambda v: v is None}[kind]
            if not ok(read):
                self.problems.append((*at, f"{value!r} is not a YAML {kind}"))
                return value
            return float(read) if kind == "float" else read
        self._tag(tag, set(), at)
        return value


def _plain(value: str) -> Any:
    """A plain scalar read with the YAML 1.2 core schema (and dates, as ruamel reads them)."""
    if not value or len(value) > 40:
        return None if not value else value
    first = value[0]
    if first in "~nN" and _NULL.match(value):
        return None
    if first in "tTfF" and value in _BOOL:
        return _BOOL[value]
    if first in "+-0123456789.":
        if _INT.match(value):
            return int(value)
        if _OCT.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
        if _FLOAT.match(value) and any(c.isdigit() for c in value):
            return float(value)
        if _INF.match(value):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
        if _DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
        if _STAMP.match(value):
            try:
                return datetime.datetime.fromisoformat(value.replace("t", "T").replace("Z", "+00:00"))
            except ValueError:
                return value
    return value


def loads(text: str) -> Any:
    """Plain dicts, lists and scalars from YAML text; ValueError naming line:col when it is not valid."""
    read = read_text(text)
    if read.problems:
        raise ValueError("; ".join(f"{line}:{col}: {message}" for line, col, message in read.problems))
    return _unmarked(read.data)


def _unmarked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    return value

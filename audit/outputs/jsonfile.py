"""Writing a large JSON output fast and still readable: its top levels indented, each item below
them (a finding, a SARIF result) on a line of its own.

``json.dumps(indent=2)`` runs the pure-Python encoder (the C one only writes compact JSON), and
made most of the time of writing findings.json and findings.sarif for 40,000 findings; here each
item is encoded by the C encoder and written as it is made, so no whole-file string is built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any


def write_json_file(value: Any, path: Path, levels: int) -> Path:
    """Write ``value`` to ``path``: ``levels`` levels of containers indented, the rest one per line."""
    with path.open("w", encoding="utf-8") as out:
        _write(value, out, 0, levels)
        out.write("\n")
    return path


def _write(value: Any, out: IO[str], indent: int, levels: int) -> None:
    if levels == 0 or not isinstance(value, (dict, list)) or not value:
        out.write(json.dumps(value, ensure_ascii=False))
        return
    pad = "  " * (indent + 1)
    last = len(value) - 1
    if isinstance(value, dict):
        out.write("{\n")
        for n, (key, item) in enumerate(value.items()):
            out.write(f"{pad}{json.dumps(key, ensure_ascii=False)}: ")
            _write(item, out, indent + 1, levels - 1)
            out.write(",\n" if n < last else "\n")
        out.write("  " * indent + "}")
    else:
        out.write("[\n")
        for n, item in enumerate(value):
            out.write(pad)
            _write(item, out, indent + 1, levels - 1)
            out.write(",\n" if n < last else "\n")
        out.write("  " * indent + "]")

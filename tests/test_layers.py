"""The data flow in the tree: request -> document -> finding -> report, no stage reaching back.

``crawler/`` never imports what comes after it (``workflow/``); ``audit/`` imports the crawler
only where a command starts a crawl or the config checks a CSS selector with the crawler's own
parser; only the command line and the demo call ``workflow/``, the one place above both stages.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ALLOWED = {
    ("audit/cli.py", "crawler"), ("audit/cli.py", "workflow"), ("audit/demo/__init__.py", "workflow"),
    ("audit/config.py", "crawler"),  # crawler.extract.check_selector: one CSS dialect, the crawler's
}


def imports(path: Path) -> set[str]:
    """Top-level packages a module imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_no_stage_imports_a_later_one_except_where_the_tree_says():
    crossing = set()
    for package, later in (("crawler", {"workflow"}), ("audit", {"crawler", "workflow"})):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            crossing |= {(name, other) for other in imports(path) & later}
    assert crossing == ALLOWED

"""Where chrome and content are on one page, from its markup alone: landmarks, tags, class and
id words, the one ``<main>``; and the headers of table cells.

What repetition across a crawl reveals is audit/chrome.py's part; this module decides what a
single page says about itself, so a one-page crawl or an email is read right too.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT = {"article", "main"}


# Class and id words (split on '-', '_' and camelCase: ``docs-nav``, ``site-footer__inner``,
# ``mainNav``) of the chrome on pages without semantic tags.
NAV_WORDS = {"nav", "navbar", "navigation", "menu", "mainmenu", "menubar", "topbar", "sidenav",
             "breadcrumb", "breadcrumbs", "crumbs", "sidebar", "skip", "cookie", "cookies",
             "consent", "gdpr", "masthead", "announcement", "announcements"}


FOOTER_WORDS = {"footer", "colophon"}


# Template components that are chrome even inside the article (share lines, related posts,
# newsletter boxes, pagers, breadcrumbs), as WordPress, Docusaurus and most themes name them.
COMPONENT_CHROME = {"share", "sharing", "social", "related", "newsletter", "pager", "pagination",
                    "breadcrumb", "breadcrumbs", "crumbs"}


# "header" is chrome only as the page's own header (``site-header``, ``global-header``).
HEADER_WORDS = {"site", "global", "page", "top", "main"}


# Components that carry nav/footer words of their own inside content (``card-footer``).
COMPONENT_WORDS = {"card", "modal", "dialog", "table", "panel", "form", "accordion", "tab", "tabs"}


BUTTON_WORDS = {"btn", "button", "cta"}


_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")


def class_words(el: Any) -> set[str]:
    """The words of an element's class and id (``site-footer__inner`` -> site, footer, inner)."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {w.lower() for w in _WORD_SPLIT.split(raw) if w}


def main_element(root: Any) -> set[Any]:
    """The page's one ``<main>`` (or ``role="main"``): the HTML standard keeps repeated content
    (navigation, copyright, banners, search) out of it, so what is outside it is chrome. Pages
    with none, or several, are read by tags and class words alone."""
    found = [el for el in root.iter("main")] or root.xpath("//*[@role='main']")
    return set(found) if len(found) == 1 else set()


def is_content(el: Any, tag: str) -> bool:
    return tag in CONTENT or (el.get("role") or "").lower() == "main"


def is_nav(el: Any, tag: str, in_content: bool) -> bool:
    """Navigation, and the chrome around the content: the site header and a page-level sidebar.

    A ``<header>`` or ``<aside>`` inside the article is part of the content, so it stays in body,
    and so does a page header holding the page's ``<h1>`` (a hero, not chrome).
    """
    role = (el.get("role") or "").lower()
    if tag == "nav" or role in ("navigation", "menubar"):
        return True
    if tag in ("div", "ul", "ol", "section", "aside", "p") and (
            class_words(el) & COMPONENT_CHROME and not class_words(el) & COMPONENT_WORDS):
        return True
    if in_content or is_content(el, tag):
        return False
    if tag == "aside" or role == "complementary":
        return True
    if tag == "header" or role == "banner":
        return next(el.iter("h1"), None) is None
    if tag not in ("div", "ul", "ol", "section", "a", "span", "p"):
        return False
    words = class_words(el)
    if not words or words & COMPONENT_WORDS:
        return False
    if words & NAV_WORDS:
        return True
    return "header" in words and bool(words & HEADER_WORDS) and next(el.iter("h1"), None) is None


def is_footer(el: Any, tag: str, in_content: bool, quoted: bool = False) -> bool:
    role = (el.get("role") or "").lower()
    if tag == "footer" or role == "contentinfo":
        return not quoted  # a quotation's own footer is its attribution, not the site's
    if in_content or tag not in ("div", "section", "p", "ul"):
        return False
    words = class_words(el)
    return bool(words & FOOTER_WORDS) and not words & COMPONENT_WORDS


def _cell_text(el: Any) -> str:
    """A header cell's text, its elements apart: "Starter<span>For one person</span>" is the plan
    "Starter" over a note, not the word "StarterFor"."""
    return " ".join(" ".join(el.itertext()).split())


def table_headers(table: Any) -> dict[Any, tuple[str | None, str | None]]:
    """Each data cell's (row header, column header) in a table (pricing tables: the plan is the
    column header, the feature the row header)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    if not rows:
        return {}
    grid: list[list[tuple[int, Any]]] = []  # per row: (first column, cell)
    for row in rows:
        col, cells = 0, []
        for cell in row:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            cells.append((col, cell))
            try:
                col += max(1, min(int(cell.get("colspan") or 1), 100))
            except ValueError:
                col += 1
        grid.append(cells)
    first = grid[0]
    head_row = bool(first) and (rows[0].getparent().tag == "thead"
                                or all(c.tag == "th" or not _cell_text(c) for _, c in first))
    columns: dict[int, str] = {}
    if head_row:
        for col, cell in first:
            span = int(cell.get("colspan") or 1) if (cell.get("colspan") or "1").isdigit() else 1
            for c in range(col, col + max(1, min(span, 100))):
                columns[c] = _cell_text(cell)
    out: dict[Any, tuple[str | None, str | None]] = {}
    for i, cells in enumerate(grid):
        if head_row and i == 0:
            continue
        row_head = next((_cell_text(c) for _, c in cells if c.tag == "th"), None)
        if row_head is None and head_row and cells and cells[0][0] == 0:
            row_head = _cell_text(cells[0][1])
        for col, cell in cells:
            if cell.tag == "th" or (col == 0 and head_row):
                if cell.tag == "td" and columns.get(col):
                    out[cell] = (None, columns[col])  # a row's label still sits under its column's header
                continue
            out[cell] = (row_head or None, columns.get(col) or None)
    return out

"""HTML -> regions of text, read the way a visitor reads the page.

Navigation and footer are taken out of the body (tags, ARIA landmarks, class and id words, and
the touchpoint's own CSS selectors), so a rule can skip the chrome around the content; chrome
that only repetition reveals is found later, across the crawl (audit/chrome.py). Script, style
and template content is never text; ``<noscript>`` text is.

Blocks (paragraphs, list items, cells, headings) are separated by line breaks in the stored
text, so no match spans two blocks, and each keeps its structure (heading path, table headers,
list lead: documents.Block). Link text, buttons and quotations stay in their sentence and are
recorded as marked ranges (documents.MARKS); code samples likewise, so no rule matches inside.

The page is parsed with lxml and walked without recursion, so deep nesting cannot exhaust the
stack.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html
from lxml.cssselect import CSSSelector

from audit.documents import Block, Region
from audit.text import clean
from crawler.dates import heading_date, page_dates
from crawler.landmarks import (
    BUTTON_WORDS,
    CONTENT,
    class_words,
    is_footer,
    is_nav,
    main_element,
    table_headers,
)
from crawler.marks import ANY_MARK, MARK_CHARS, take_marks

__all__ = ["Extracted", "Selectors", "check_selector", "extract", "parse"]

logger = logging.getLogger(__name__)

NOT_TEXT = {"script", "style", "template", "svg", "canvas", "iframe", "object", "head", "select",
            "option", "datalist", "math"}
BLOCKS = {"p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "li",
          "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "thead", "tbody", "tfoot",
          "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
          "form", "fieldset", "address", "br", "hr", "details", "summary", "caption", "center",
          "label", "button", "option", "noscript", "menu", "legend", "body"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
CODE_TAGS = {"code", "pre", "kbd", "samp", "tt", "var"}


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")

Tags = list[tuple[str, int]]
# huge_tree: libxml2 otherwise stops at 256 levels of nesting and drops the rest of the page.
_PARSER = lxml.html.HTMLParser(huge_tree=True)


@dataclass
class Selectors:
    """A touchpoint's own CSS selectors (config ``extract:``): the main content, extra nav and
    footer, and content to leave out entirely (testimonials, cookie banners, ``.nop``)."""

    main: list[str] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._compiled = {k: [CSSSelector(s, translator="html") for s in getattr(self, k)]
                          for k in ("main", "nav", "footer", "exclude")}

    @classmethod
    def from_config(cls, raw: dict[str, Any] | None) -> Selectors | None:
        if not raw:
            return None
        return cls(**{k: list(raw.get(k) or []) for k in ("main", "nav", "footer", "exclude")})

    def matches(self, root: Any, key: str) -> set[Any]:
        return {el for sel in self._compiled[key] for el in sel(root)}


def check_selector(selector: str) -> str | None:
    """Why a CSS selector cannot be used (for config errors), or None."""
    try:
        CSSSelector(selector, translator="html")
    except Exception as exc:  # cssselect raises SelectorSyntaxError or ExpressionError
        return f"is not a valid CSS selector: {exc}"
    return None


@dataclass
class Extracted:
    """What extraction found in one HTML page."""

    title: str
    regions: list[Region]
    canonical: str | None = None
    lang: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # <meta name|property -> content>
    jsonld: list[Any] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # href of every <a> and <area>, as written
    base: str | None = None  # <base href>, against which the links resolve
    published: str | None = None  # YYYY-MM-DD, when the page says when it was published
    updated: str | None = None  # YYYY-MM-DD, when the page says when it was last updated
    flat: list[str] = field(default_factory=list)  # regions whose structure could not be kept


# Browsers keep what follows a stray </body> or </html>, and a second <body>'s content, in the
# one body; libxml2 drops it. Without those tags it reads the page as a browser does.
_BODY_END = re.compile(r"</\s*(?:body|html)\s*>", re.IGNORECASE)
_BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
MAX_DEPTH = 1000  # elements nested deeper are read as if their tags were not there


def parse(html: str) -> Any | None:
    """The lxml tree of a page, or None when there is no markup at all."""
    html = _CONTROL.sub("", _XML_DECL.sub("", html, count=1))
    if not html.strip():
        return None
    html = _BODY_END.sub("", html)
    bodies = list(_BODY_START.finditer(html))
    if len(bodies) > 1:
        first = bodies[0].end()
        html = html[:first] + _BODY_START.sub("", html[first:])
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
        if any("depth" in e.message.lower() for e in _PARSER.error_log):
            # libxml2 stops at 2,048 levels and drops the rest of the page.
            tree = lxml.html.document_fromstring(_shallow(html), parser=_PARSER)
        return tree
    except (lxml.etree.ParserError, ValueError):
        return None


def _shallow(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` without the tags of elements nested deeper than ``limit`` (their text stays)."""
    out, last, depth = [], 0, 0
    dropped: dict[str, int] = {}
    for m in _TAG.finditer(html):
        name, closing, void = m.group(2).lower(), m.group(1), m.group(3) or m.group(2).lower() in _VOID
        if void:
            continue
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                out.append(html[last:m.start()])
                last = m.end()
            else:
                depth = max(0, depth - 1)
        elif depth >= limit:
            dropped[name] = dropped.get(name, 0) + 1
            out.append(html[last:m.start()])
            last = m.end()
        else:
            depth += 1
    out.append(html[last:])
    return "".join(out)


def extract(html: str, merge_tags: bool = False, selectors: Selectors | None = None,
            url: str | None = None, dates: bool = True) -> Extracted:
    """Split a page into regions. ``merge_tags`` takes template tags out of the text (emails);
    ``selectors`` are the touchpoint's own; ``url`` helps find the page's date."""
    root = parse(html)
    if root is None:
        return Extracted("", [])
    for el in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _drop_keep_tail(el)
    head = root.find("head")
    title_el = head.find("title") if head is not None else None
    if title_el is None:
        title_el = next((t for t in root.iter("title") if not _inside(t, "svg")), None)
    title = _clean(title_el.text_content(), merge_tags)[0] if title_el is not None else ""
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        if key and m.get("content") is not None and key not in meta:
            meta[key] = str(m.get("content"))
    canonical = None
    for link in root.iter("link"):
        if link.get("href") and "canonical" in (link.get("rel") or "").lower().split():
            canonical = link.get("href").strip()
            break
    links = [str(a.get("href")) for a in root.iter("a", "area") if a.get("href") is not None]
    base_el = next((b for b in root.iter("base") if b.get("href")), None)
    base = base_el.get("href").strip() if base_el is not None else None
    lang = root.get("lang")

    jsonld = _jsonld(root)
    alts = [str(img.get("alt")) for img in root.iter("img", "area") if img.get("alt")]
    alts += [str(i.get("alt")) for i in root.iter("input")
             if (i.get("type") or "").lower() == "image" and i.get("alt")]

    body = root.find("body")
    walker = _Walker(root, selectors)
    try:
        walker.run(body if body is not None else root)
    except Exception as exc:  # structure is a help, never a reason to lose the page
        logger.warning("page read as flat text, its structure could not be read: %s: %s",
                       type(exc).__name__, exc)
        walker = _Walker.flat(body if body is not None else root)

    regions: list[Region] = []
    flat: list[str] = []

    def add(name: str, parts: list[str], data: Any = None, blocks: list[Block] | None = None) -> None:
        text, tags = _clean("\n".join(parts), merge_tags)
        text, tags, marks = take_marks(text, tags)
        code = marks.pop("code", [])
        if not (text or data):
            return
        laid: list[Block] = []
        if blocks:
            laid = _lay_out(text, blocks)
            if not laid:
                flat.append(name)
                logger.info("structure of region %s kept flat: its blocks and lines disagree", name)
        regions.append(Region(name, text, tags, data, code, marks, laid))

    add("title", [title] if title else [])
    if not title:  # the document still needs a name in the report
        h1 = next(iter(root.iter("h1")), None)
        title = meta.get("og:title") or (_clean(h1.text_content(), merge_tags)[0] if h1 is not None else "")
    desc = meta.get("description") or meta.get("og:description")
    add("meta", [desc] if desc else [])
    for name in ("heading", "body", "nav", "footer"):
        add(name, walker.lines[name], blocks=walker.blocks[name])
    add("alt", alts)
    if jsonld:
        add("jsonld", list(_leaves(jsonld)), data=jsonld)
    published, updated = page_dates(root, jsonld, meta, url, walker.chrome_roots) if dates else (None, None)
    return Extracted(title, regions, canonical, lang if isinstance(lang, str) else None, meta, jsonld,
                     links, base, published, updated, flat)


def _lay_out(text: str, blocks: list[Block]) -> list[Block]:
    """The walker's blocks with offsets into the final text (one per line), or [] when the
    lines no longer line up (a merge tag spanning two blocks): the region is then flat."""
    lines = text.split("\n")
    if len(lines) != len(blocks):
        return []
    out, pos = [], 0
    for line, b in zip(lines, blocks, strict=True):
        out.append(b._replace(start=pos, end=pos + len(line)))
        pos += len(line) + 1
    return out


def _clean(text: str, merge_tags: bool) -> tuple[str, list[tuple[str, int]]]:
    return clean(text, merge_tags=merge_tags)


def _drop_keep_tail(el: Any) -> None:
    """Remove a comment or processing instruction but keep the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _inside(el: Any, tag: str) -> bool:
    return any(a.tag == tag for a in el.iterancestors())


@dataclass(frozen=True)
class _State:
    """Where the walk is: the region text goes to, and what encloses it."""

    region: str = "body"
    in_content: bool = False
    marks: frozenset[str] = frozenset()
    tag: str = ""  # the innermost block element
    cell: tuple[str | None, str | None] | None = None  # (row header, column header)
    lead: str | None = None
    heading: int = 0  # the level, inside a heading element


class _Walker:
    """One pass over the body: text into per-region lines, each line with its Block."""

    def __init__(self, root: Any, selectors: Selectors | None):
        self.lines: dict[str, list[str]] = {k: [] for k in ("heading", "body", "nav", "footer")}
        self.blocks: dict[str, list[Block]] = {k: [] for k in self.lines}
        self.line: list[str] = []
        self.line_state: _State | None = None
        # Heading stacks, (level, text, date): the body's (shared with headings) and each chrome region's.
        self.stacks: dict[str, list[tuple[int, str, str | None]]] = {"body": [], "nav": [], "footer": []}
        self.cells: dict[Any, tuple[str | None, str | None]] = {}
        self.last: dict[str, str] = {}  # the last block's text per family
        self.last_term: str | None = None  # the last <dt>, the lead of the <dd> after it
        self.top: Any = None
        self.seq = 0  # reading order of the blocks across regions
        self.chrome_roots: list[Any] = []  # the elements whose text went to nav or footer
        self.seen_main = False
        sel = selectors
        self.main = sel.matches(root, "main") if sel and sel.main else main_element(root)
        self.main_above = {a for el in self.main for a in el.iterancestors()}
        self.nav_sel = sel.matches(root, "nav") if sel else set()
        self.footer_sel = sel.matches(root, "footer") if sel else set()
        self.excluded = sel.matches(root, "exclude") if sel else set()

    @classmethod
    def flat(cls, body: Any) -> _Walker:
        """The page's text as one body block per line of its text, with no structure."""
        walker, state = cls(body, None), _State()
        for event, el in lxml.etree.iterwalk(body, events=("start", "end")):
            block = isinstance(el.tag, str) and el.tag.lower() in BLOCKS
            if block:
                walker.flush()
            text = el.text if event == "start" else el.tail
            if text and isinstance(el.tag, str) and (event == "end" or el.tag.lower() not in NOT_TEXT):
                walker.text(text, state)
        walker.flush()
        return walker

    def run(self, body: Any) -> None:
        self.top = body
        events: list[tuple[int, Any, _State]] = [(0, body, _State())]
        while events:
            kind, node, state = events.pop()
            if kind == 1:
                self.text(node, state)
            elif kind == 2:
                self.end(node, state)
            else:
                inner = self.start(node, state)
                if inner is None:
                    continue
                events.append((2, (node, state), inner))
                for child in reversed(node):
                    if child.tail:
                        events.append((1, child.tail, inner))
                    events.append((0, child, inner))
                if node.text:
                    events.append((1, node.text, inner))
        self.flush()

    # -- elements --------------------------------------------------------------------------
    def start(self, el: Any, state: _State) -> _State | None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in NOT_TEXT or el in self.excluded:
            return None
        if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
            return None
        tag = tag.lower()
        region, in_content = state.region, state.in_content
        if region == "body" and el is not self.top:
            region, in_content = self._region(el, tag, state)
            if region in ("nav", "footer"):
                self.chrome_roots.append(el)
        is_block = tag in BLOCKS
        if region != state.region or is_block:
            self.flush()
        marks = state.marks
        added = self._marks(el, tag)
        if added:
            marks = marks | added
        inner = _State(region, in_content or tag in CONTENT or (el.get("role") or "").lower() == "main",
                       marks, tag if is_block else state.tag, state.cell, state.lead, state.heading)
        if tag == "table":
            self.cells.update(table_headers(el))
        elif tag in ("td", "th"):
            inner = _replace(inner, cell=self.cells.get(el))
        elif tag in ("ul", "ol", "dl"):
            inner = _replace(inner, lead=self._lead(region))
        elif tag == "dd" and self.last_term:
            inner = _replace(inner, lead=self.last_term)  # a definition knows its term (FAQ answers)
        elif tag == "details":
            summary = el.find("summary")  # an FAQ's question as a disclosure: the lead of its answer
            if summary is not None:
                inner = _replace(inner, lead=" ".join(" ".join(summary.itertext()).split()) or None)
        if tag in HEADINGS and region in ("heading", "nav", "footer"):
            inner = _replace(inner, heading=HEADINGS[tag])
        if tag == "input" and (el.get("type") or "").lower() in ("submit", "button") and el.get("value"):
            self.text(str(el.get("value")), _replace(inner, marks=marks | {"button"}))
        if el in self.main:
            self.seen_main = True
        return inner

    def end(self, node: tuple[Any, _State], inner: _State) -> None:
        el, outer = node
        if inner.region != outer.region or (isinstance(el.tag, str) and el.tag.lower() in BLOCKS):
            self.flush()

    def _region(self, el: Any, tag: str, state: _State) -> tuple[str, bool]:
        """The region an element of the body goes to, and whether it is inside the content."""
        if el in self.nav_sel:
            return "nav", state.in_content
        if el in self.footer_sel:
            return "footer", state.in_content
        if is_nav(el, tag, state.in_content):
            return "nav", state.in_content
        if is_footer(el, tag, state.in_content, "quote" in state.marks):
            return "footer", state.in_content
        if self.main:
            if el in self.main:
                return "body", True
            if not state.in_content and el not in self.main_above:
                return ("footer" if self.seen_main else "nav"), False
        if tag in HEADINGS:
            return "heading", state.in_content
        return "body", state.in_content

    @staticmethod
    def _marks(el: Any, tag: str) -> frozenset[str]:
        found = set()
        if tag in CODE_TAGS:
            found.add("code")
        if tag in ("blockquote", "q"):
            found.add("quote")
        role = (el.get("role") or "").lower()
        if tag == "button" or role == "button" or (
                tag == "a" and class_words(el) & BUTTON_WORDS):
            found.add("button")
        elif tag == "a" and el.get("href") is not None:
            found.add("link")
        return frozenset(found)

    def _lead(self, region: str) -> str | None:
        """The sentence that introduces a list ("Plus includes:"), or the short label above it (a
        card's "Pro plan"), when the block before it is one."""
        last = self.last.get("body" if region == "heading" else region)
        if not last:
            return None
        label = len(last.split()) <= 4 and not re.search(r"[.!?]$", last)
        return last if last.endswith(":") or label else None

    # -- text ------------------------------------------------------------------------------
    def text(self, text: str, state: _State) -> None:
        if not text:
            return
        core = text.strip()
        if not core:
            self.line.append(" ")
            return
        if self.line_state is None:
            self.line_state = state
        elif self.line_state.region != state.region:
            self.flush()
            self.line_state = state
        if state.marks:
            names = sorted(state.marks)
            core = ("".join(MARK_CHARS[n][0] for n in names) + core
                    + "".join(MARK_CHARS[n][1] for n in reversed(names)))
        lead = " " if text[0].isspace() else ""
        trail = " " if text[-1].isspace() else ""
        self.line.append(lead + core + trail)

    def flush(self) -> None:
        state = self.line_state
        text = " ".join("".join(self.line).split())
        self.line.clear()
        self.line_state = None
        if state is None or not ANY_MARK.sub("", text).strip():
            return
        region = state.region
        family = "body" if region in ("body", "heading") else region
        stack = self.stacks[family]
        row, col = state.cell if state.cell else (None, None)
        self.lines[region].append(text)
        dated = next((d for _, _, d in reversed(stack) if d), None)
        self.blocks[region].append(Block(0, 0, state.tag, self.seq, tuple(t for _, t, _ in stack), row,
                                         col, state.lead, dated))
        self.seq += 1
        visible = ANY_MARK.sub("", text)
        self.last[family] = visible
        if state.tag == "dt":
            self.last_term = visible
        if state.heading:
            while stack and stack[-1][0] >= state.heading:
                stack.pop()
            stack.append((state.heading, visible, heading_date(visible)))


def _replace(state: _State, **changes: Any) -> _State:
    return dataclasses.replace(state, **changes)


def _jsonld(root: Any) -> list[Any]:
    out: list[Any] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        try:
            data = json.loads(raw)
        except ValueError:
            continue  # broken JSON-LD is not text; it is simply not structured data
        if isinstance(data, dict) and isinstance(data.get("@graph"), list):
            out.extend(data["@graph"])
        elif isinstance(data, list):
            out.extend(data)
        else:
            out.append(data)
    return out


def _leaves(data: Any) -> list[str]:
    """String values of JSON-LD (not keys, not @type/@id/URLs), one per line, for text rules."""
    found: list[str] = []

    def visit(v: Any, key: str = "") -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k not in ("@context", "@type", "@id"):
                    visit(x, k)
        elif isinstance(v, list):
            for x in v:
                visit(x, key)
        elif isinstance(v, str) and v.strip() and not v.startswith(("http://", "https://")):
            found.append(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            found.append(str(v))

    visit(data)
    return found



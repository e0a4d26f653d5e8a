"""HTML -> regions of text: title, meta, headings, body, nav, footer, alt, JSON-LD.

Navigation and footer are taken out of the body, so a rule can skip the chrome that repeats on
every page; script, style and template content is never text. Blocks (paragraphs, list items,
cells, headings) are separated by line breaks in the stored text, so no match spans two blocks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from audit.documents import Region
from audit.text import clean

NOT_TEXT = {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object",
            "head", "select", "option"}
BLOCKS = {"p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "li",
          "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "thead", "tbody", "tfoot",
          "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
          "form", "fieldset", "address", "br", "hr", "details", "summary", "caption", "center",
          "label", "button", "option"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


CONTENT = ["article", "main"]
# Class and id words of the chrome on pages without semantic tags (``<div class="navbar">``).
NAV_WORDS = {"nav", "navbar", "navigation", "menu", "mainmenu", "main-menu", "site-nav", "topbar",
             "breadcrumb", "breadcrumbs", "sidebar", "side-bar", "skip", "skip-link", "cookie-banner",
             "cookie-consent", "masthead"}
FOOTER_WORDS = {"footer", "site-footer", "page-footer", "colophon"}


def _words(tag: Tag) -> set[str]:
    classes = tag.get("class") or []
    classes = classes if isinstance(classes, list) else str(classes).split()
    return {w.lower() for w in [*classes, str(tag.get("id") or "")] if w}


def _is_nav(tag: Tag, in_content: bool = False) -> bool:
    """Navigation, and the chrome around the content: the site header and a page-level sidebar.

    A ``<header>`` or ``<aside>`` inside the article is part of the content, so it stays in body,
    and so does a page header holding the page's ``<h1>`` (a hero, not chrome).
    """
    role = (tag.get("role") or "").lower()
    if tag.name == "nav" or role in ("navigation", "menubar"):
        return True
    if in_content or _is_content(tag):
        return False
    if tag.name == "aside" or role == "complementary":
        return True
    if tag.name == "header" or role == "banner":
        return tag.find("h1") is None
    return tag.name in ("div", "ul", "section", "a") and bool(_words(tag) & NAV_WORDS)


def _is_content(tag: Tag) -> bool:
    return tag.name in CONTENT or (tag.get("role") or "").lower() == "main"


def _is_footer(tag: Tag, in_content: bool = False) -> bool:
    role = (tag.get("role") or "").lower()
    if tag.name == "footer" or role == "contentinfo":
        return True
    return (tag.name in ("div", "section") and bool(_words(tag) & FOOTER_WORDS)
            and not in_content)


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


def extract(html: str, merge_tags: bool = False) -> Extracted:
    """Split a page into regions. ``merge_tags`` takes template tags out of the text (emails)."""
    soup = BeautifulSoup(html, "lxml")
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    title_tag = soup.find("title")
    title = _clean(title_tag.get_text(" "), merge_tags)[0] if title_tag else ""
    meta = {}
    for m in soup.find_all("meta"):
        key = (m.get("name") or m.get("property") or "").strip().lower()
        if key and m.get("content") is not None:
            meta[key] = str(m.get("content"))
    canonical = None
    for link in soup.find_all("link", href=True):
        rels = link.get("rel") or []
        rels = rels if isinstance(rels, list) else [rels]
        if "canonical" in [r.lower() for r in rels]:
            canonical = str(link["href"]).strip()
            break
    links = [str(a["href"]) for a in soup.find_all(["a", "area"], href=True)]
    base_tag = soup.find("base", href=True)
    base = str(base_tag["href"]).strip() if isinstance(base_tag, Tag) else None
    html_tag = soup.find("html")
    lang = html_tag.get("lang") if isinstance(html_tag, Tag) else None

    jsonld = _jsonld(soup)
    alts = [str(img.get("alt")) for img in soup.find_all(["img", "area"]) if img.get("alt")]
    alts += [str(i.get("alt")) for i in soup.find_all("input", attrs={"type": "image"}) if i.get("alt")]

    buckets: dict[str, list[str]] = {"heading": [], "body": [], "nav": [], "footer": []}
    body = soup.find("body") or soup
    line: list[str] = []
    _walk(body, "body", buckets, line)
    _flush("body", buckets, line)  # inline text after the last block

    regions: list[Region] = []

    def add(name: str, parts: list[str], data: Any = None) -> None:
        text, tags = _clean("\n".join(parts), merge_tags)
        text, tags, code = take_code(text, tags)
        if text or data:
            regions.append(Region(name, text, tags, data, code))

    add("title", [title] if title else [])
    if not title:  # the document still needs a name in the report
        h1 = soup.find("h1")
        title = meta.get("og:title") or (_clean(h1.get_text(" "), merge_tags)[0] if h1 else "")
    desc = meta.get("description") or meta.get("og:description")
    add("meta", [desc] if desc else [])
    add("heading", buckets["heading"])
    add("body", buckets["body"])
    add("nav", buckets["nav"])
    add("footer", buckets["footer"])
    add("alt", alts)
    if jsonld:
        add("jsonld", list(_leaves(jsonld)), data=jsonld)
    return Extracted(title, regions, canonical, lang if isinstance(lang, str) else None, meta, jsonld,
                     links, base)


CODE_TAGS = {"code", "pre", "kbd", "samp", "tt", "var"}
CODE_OPEN, CODE_CLOSE = "\ue000", "\ue001"  # private-use marks, taken out again by take_code


Tags = list[tuple[str, int]]


def take_code(text: str, tags: Tags) -> tuple[str, Tags, list[tuple[int, int]]]:
    """Remove the code marks from stored text: (text, merge tags re-offset, code ranges)."""
    if CODE_OPEN not in text:
        return text, tags, []
    out: list[str] = []
    shift: list[int] = []  # for each input offset, the output offset
    ranges: list[tuple[int, int]] = []
    depth, start = 0, 0
    for ch in text:
        shift.append(len(out))
        if ch == CODE_OPEN:
            depth += 1
            if depth == 1:
                start = len(out)
        elif ch == CODE_CLOSE:
            depth = max(0, depth - 1)
            if depth == 0 and len(out) > start:
                ranges.append((start, len(out)))
        else:
            out.append(ch)
    shift.append(len(out))
    return "".join(out), [(tag, shift[pos]) for tag, pos in tags], ranges


def _clean(text: str, merge_tags: bool) -> tuple[str, list[tuple[str, int]]]:
    return clean(text, merge_tags=merge_tags)


def _walk(node: Tag, region: str, buckets: dict[str, list[str]], line: list[str],
          in_content: bool = False) -> None:
    """Depth-first: text goes to the current region's current line; blocks end the line."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment):
                line.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in NOT_TEXT:
            continue
        if child.get("hidden") is not None or (child.get("aria-hidden") or "").lower() == "true":
            continue
        target = region
        if region == "body":
            if _is_nav(child, in_content):
                target = "nav"
            elif _is_footer(child, in_content):
                target = "footer"
            elif child.name in HEADINGS:
                target = "heading"
        code = child.name in CODE_TAGS
        inside = in_content or _is_content(child)
        if target != region or child.name in BLOCKS:
            _flush(region, buckets, line)
            inner: list[str] = [CODE_OPEN] if code else []
            _walk(child, target, buckets, inner, inside)
            inner += [CODE_CLOSE] if code else []
            _flush(target, buckets, inner)
        else:
            line += [CODE_OPEN] if code else []
            _walk(child, region, buckets, line, inside)
            line += [CODE_CLOSE] if code else []
    return None


def _flush(region: str, buckets: dict[str, list[str]], line: list[str]) -> None:
    text = " ".join("".join(line).split())
    if text:
        buckets[region].append(text)
    line.clear()


def _jsonld(soup: BeautifulSoup) -> list[Any]:
    out: list[Any] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        raw = script.string or script.get_text() or ""
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

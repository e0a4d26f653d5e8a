"""The date a page states for itself: when it was published and last updated.

Rules scope by it (``after:``/``before:``), so a 2019 blog post can be exempted from a name
retired since. Only what a page says is its date counts, never a date in its running text.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from audit.documents import jsonld_objects
from crawler.landmarks import class_words

# -- page dates ------------------------------------------------------------------------------
PUBLISHED_META = ("article:published_time", "datepublished", "og:published_time", "pubdate",
                  "publishdate", "date", "dc.date", "dc.date.issued", "dcterms.created",
                  "dcterms.issued", "citation_publication_date", "parsely-pub-date", "sailthru.date")


UPDATED_META = ("article:modified_time", "datemodified", "og:updated_time", "dcterms.modified",
                "last-modified", "lastmod")


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _iso(value: Any) -> str | None:
    m = _ISO_DATE.search(str(value or ""))
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31 else None


def page_dates(root: Any, jsonld: list[Any], meta: dict[str, str], url: str | None = None,
               chrome: list[Any] | None = None) -> tuple[str | None, str | None]:
    """(published, updated) as YYYY-MM-DD, from what the page states as its date: JSON-LD
    ``datePublished``/``dateModified``, ``article:*`` and similar meta, then (outside the
    ``chrome`` elements, so a "Last updated" line of the site footer is not the page's) ``<time>``
    and date-named elements (``class="post-date"``, ``itemprop="datePublished"``), then a date in
    the URL path. A date in running text is never the page's date ("founded on 2015-03-01").
    htmldate's fast mode does the same but ends by taking any bare date in the text; this does
    not. The tree is changed (chrome removed): call it last."""
    published = updated = None
    for obj in jsonld_objects(jsonld):
        published = published or _iso(obj.get("datePublished") or obj.get("dateCreated")
                                      or obj.get("uploadDate"))
        updated = updated or _iso(obj.get("dateModified"))
    for key in PUBLISHED_META:
        published = published or _iso(meta.get(key))
    for key in UPDATED_META:
        updated = updated or _iso(meta.get(key))
    if published or updated:
        return published, updated
    for el in chrome or []:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        kind = _date_element(el)
        if kind is None:
            continue
        value = _iso(el.get("datetime") or el.get("content")) or _text_date(el.text_content())
        if value and kind == "updated":
            updated = updated or value
        elif value:
            published = published or value
        if published and updated:
            break
    if not published and url:
        published = _url_date(url)
    return published, updated


_DATE_WORDS = {"date", "published", "posted", "pubdate", "byline", "dateline", "timestamp"}


_UPDATED_WORDS = {"updated", "modified", "lastmod"}


_YEAR = re.compile(r"\b(19[9]\d|20\d\d)\b")


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?(?=[/-]|$)")


def _date_element(el: Any) -> str | None:
    """'published' or 'updated' when an element states a date by its name, else None."""
    prop = (el.get("itemprop") or "").lower()
    if prop in ("datepublished", "datecreated"):
        return "published"
    if prop == "datemodified":
        return "updated"
    words = class_words(el)
    if words & _UPDATED_WORDS:
        return "updated"
    if el.tag == "time" or words & _DATE_WORDS:
        return "published"
    return None


_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def heading_date(text: str) -> str | None:
    """The date a heading is, when it is one ("March 2021", "Jul 14, 2026", "2021-03-02",
    "v2.4 — 12 May 2020"): a short heading with a month name or an ISO date. "What changed
    since 2019" names a year, not a date."""
    if len(text.split()) > 6 or not (_MONTH.search(text) or _ISO_DATE.search(text)):
        return None
    return _iso(text) or _text_date(text)


def _text_date(text: str) -> str | None:
    """A date written for people ("Jul 2, 2024", "22 June 2021"), in a short text with a year."""
    text = " ".join(text.split())
    if not text or len(text) > 80 or not _YEAR.search(text):
        return None
    from dateutil import parser as dateparser

    try:
        when = dateparser.parse(text, fuzzy=True, default=datetime.datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    return _iso(when.date().isoformat()) if when else None


def _url_date(url: str) -> str | None:
    m = _URL_DATE.search(url.split("?")[0].split("#")[0])
    if not m:
        return None
    y, mo, d = m.group(1), int(m.group(2)), int(m.group(3) or 1)
    return _iso(f"{y}-{mo:02d}-{d:02d}")

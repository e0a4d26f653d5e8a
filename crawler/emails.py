"""Email templates and messages -> regions of text: subject, preheader, title, body, alt…

Pure functions over a file's bytes (and its path, for mbox), so every file kind is tested without
Scrapy; crawler/spiders/email.py only finds the files and turns results into Documents/Failures.

- templates: ``.html``/``.htm`` (subject from ``<meta name="x-email-subject">``, preheader = the
  first hidden element), ``.mjml`` (content elements read as HTML, ``mj-preview`` = preheader) and
  ``.txt`` (leading ``Subject:`` / ``Preheader:`` lines);
- messages: ``.eml`` and ``.mbox`` (one document per message, ``#message=N``, an mbox streamed
  message by message), the text/html alternative preferred over text/plain, transfer encodings
  decoded, the declared charset else UTF-8 else windows-1252, the RFC 2047 ``Subject`` header as
  the subject region; messages a message carries (a forward, a digest's parts, a bounce's
  original) as ``#part=N``; a multipart without its boundary read as text; attachments are never
  read, and ``max_size`` limits a message's text, not its file.

Template syntax is not HTML: ``<a href="{{ url_for("reset") }}">`` or ``<%= if x do %>`` would
break an HTML parser and lose the text after it. So every merge tag is swapped for one private-use
character before parsing (crawler/merge_tags.py) and swapped back for ``…`` afterwards, with the tag
recorded in ``Region.merge_tags`` at that offset, as audit/text.clean does for plain text.
"""

from __future__ import annotations

import dataclasses
import email
import html
import logging
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from audit.documents import Region
from audit.text import MERGE_TAG, clean
from crawler.merge_tags import protect, restore, restore_data

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".htm", ".mjml", ".txt")
MESSAGE_SUFFIXES = (".eml", ".mbox")
SUFFIXES = TEMPLATE_SUFFIXES + MESSAGE_SUFFIXES

# Meta names under which template tools keep an email's subject line.
SUBJECT_META = ("x-email-subject", "x-subject", "email-subject", "subject")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|max-height\s*:\s*0",
                     re.I)
# Characters emails pad preheaders with so the inbox preview shows nothing after them.
_INVISIBLE = re.compile("[\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f"
                        "\u202f\u205f-\u2064\u3000\u3164\ufeff" r"\s]+")
_HEADER_LINE = re.compile(r"(subject|preheader|preview)\s*:\s?(.*)", re.I)
_BULLET = re.compile(r"([-*•·]|\d+[.)])\s")
# Headers at least one of which every real message has (RFC 5322 / MIME).
_MESSAGE_HEADERS = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
                    "received", "return-path", "sender", "reply-to"}
# MJML elements whose content is text (read as HTML), in document order.
MJML_CONTENT = ("mj-text", "mj-button", "mj-raw", "mj-table", "mj-navbar-link", "mj-accordion-title",
                "mj-accordion-text", "mj-social-element")


@dataclass
class Email:
    """One template or message: its title, its regions, and what else a reader may want."""

    title: str
    regions: list[Region]
    part: str = ""  # "#message=N" where one file holds several
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Problem:
    """Why a file (or one message in it) produced no Email; reason from FAILURE_REASONS."""

    reason: str
    detail: str
    part: str = ""


def read(path: Path, name: str, max_size: int = 0,
         tag_re: re.Pattern[str] = MERGE_TAG) -> Iterator[Email | Problem]:
    """Everything in one file, one Email or Problem at a time (an mbox is streamed message by
    message). ``name`` (its path relative to the config) names it in details. ``max_size`` limits
    a template file, or the text of one message: a message's attachments are never read, so a
    20 MB attachment does not make a message too large. ``tag_re``: the merge tags to take out."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Problem("not_html", f"{name}: a {suffix or 'suffix-less'} file is not an email template "
                      f"or message (expected one of {', '.join(SUFFIXES)})")
        return
    if suffix == ".mbox":
        yield from read_mbox(path, name, max_size, tag_re)
        return
    try:
        size = path.stat().st_size
        if max_size and size > max_size and suffix != ".eml":
            yield Problem("too_large", f"{name}: {size} bytes, over max_email_size ({max_size})")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield _unreadable(name, exc)
        return
    if suffix == ".eml":
        yield from messages(data, name, max_size, tag_re)
    else:
        yield parse(name, data, tag_re)


def parse(name: str, data: bytes, tag_re: re.Pattern[str] = MERGE_TAG) -> Email | Problem:
    """One template, or an ``.eml`` message's own text, from its bytes; ``name``'s suffix says
    which kind (messages(): also the messages it forwards or quotes)."""
    suffix = Path(name.split("#")[0]).suffix.lower()
    if suffix == ".eml":
        return next(iter(messages(data, name, tag_re=tag_re)))
    text = _decode_template(data, name, html_like=suffix != ".txt")
    if isinstance(text, Problem):
        return text
    if suffix == ".mjml":
        return from_mjml(text, tag_re)
    if suffix == ".txt":
        return from_text(text, tag_re=tag_re)
    return from_html(text, tag_re=tag_re)


# -- templates ------------------------------------------------------------------------------


def from_html(source: str, subject: str | None = None, tag_re: re.Pattern[str] = MERGE_TAG) -> Email:
    """An HTML email: subject from its meta (or ``subject``), preheader, then extract's regions."""
    protected, tags = protect(source, tag_re)
    return _html_email(protected, tags, subject=subject)


def from_mjml(source: str, tag_re: re.Pattern[str] = MERGE_TAG) -> Email:
    """MJML markup: content elements are HTML; mj-title is the title, mj-preview the preheader.

    No MJML compiler is needed: the audit wants the words, not the responsive tables.
    """
    protected, tags = protect(source, tag_re)
    soup = BeautifulSoup(protected, "html.parser")
    head: list[str] = []
    title = soup.find("mj-title")
    if isinstance(title, Tag):
        head.append(f"<title>{title.decode_contents()}</title>")
    head += [str(m) for m in soup.find_all("meta")]
    preview = soup.find("mj-preview")
    body: list[str] = []
    root = soup.find("mj-body") or soup
    for el in root.find_all([*MJML_CONTENT, "mj-image"]):
        if el.find_parent(MJML_CONTENT):
            continue
        if el.name == "mj-image":
            if el.get("alt"):
                body.append(f'<img alt="{html.escape(str(el["alt"]))}">')
            continue
        body.append(f"<div>{el.decode_contents()}</div>")
    page = f"<html><head>{''.join(head)}</head><body>{''.join(body)}</body></html>"
    preheader = preview.get_text(" ") if isinstance(preview, Tag) else None
    return _html_email(page, tags, preheader=preheader)


def from_text(text: str, subject: str | None = None, tag_re: re.Pattern[str] = MERGE_TAG) -> Email:
    """Plain text: leading ``Subject:``/``Preheader:`` lines (templates only), then the body.

    Hard-wrapped lines of one paragraph are joined, so a sentence is never split in two.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    heads: dict[str, str] = {}
    if subject is None:
        while lines and (m := _HEADER_LINE.fullmatch(lines[0].strip())):
            heads["preheader" if m.group(1).lower() == "preview" else m.group(1).lower()] = m.group(2)
            lines.pop(0)
        subject = heads.get("subject")
    regions: list[Region] = []
    _add(regions, "subject", subject or "", tag_re=tag_re)
    _add(regions, "preheader", heads.get("preheader", ""), tag_re=tag_re)
    _add(regions, "body", _unwrap("\n".join(lines)), tag_re=tag_re)
    subj = regions[0].text if regions and regions[0].name == "subject" else ""
    return Email(subj, regions)


def _html_email(protected: str, tags: list[str], subject: str | None = None,
                preheader: str | None = None) -> Email:
    # Imported here: crawler.extract belongs to the website stage and imports bs4/lxml itself.
    from crawler.extract import extract

    soup = BeautifulSoup(protected, "lxml")
    if subject is None:
        subject = _meta_subject(soup)
    if preheader is None:
        preheader = _take_preheader(soup)
    _wrap_body(soup)
    ex = extract(str(soup), merge_tags=True)
    regions: list[Region] = []
    _add(regions, "subject", subject or "", tags)
    _add(regions, "preheader", preheader or "", tags)
    for r in ex.regions:
        # restore() swaps one character for one, so code ranges, marks and blocks stay true.
        text, found = restore(r.text, r.merge_tags, tags)
        regions.append(dataclasses.replace(r, text=text, merge_tags=found,
                                           data=restore_data(r.data, tags)))
    title = restore(ex.title, [], tags)[0]
    if not title and regions and regions[0].name == "subject":
        title = regions[0].text
    return Email(title, regions)


def _wrap_body(soup: BeautifulSoup) -> None:
    """Put the body's children in one block: emails often end in bare text after the last block
    (``Regards,<br> The team``), which extract() would otherwise not flush into the body."""
    body = soup.find("body")
    if isinstance(body, Tag):
        block = soup.new_tag("div")
        for child in list(body.contents):
            block.append(child.extract())
        body.append(block)


def _meta_subject(soup: BeautifulSoup) -> str | None:
    for m in soup.find_all("meta"):
        key = str(m.get("name") or m.get("property") or "").strip().lower()
        if key in SUBJECT_META and m.get("content") is not None:
            return str(m["content"])
    return None


def _take_preheader(soup: BeautifulSoup) -> str | None:
    """The first hidden element with text (the inbox preview line), removed from the body.

    Hidden spacers that hold only invisible padding characters are removed too; other hidden
    elements (mobile-only content shown by a media query) stay where they are.
    """
    root = soup.find("body") or soup
    found: str | None = None
    for el in root.find_all(True):
        if el.decomposed:
            continue
        classes = " ".join(el.get("class") or []).lower()
        if not (_HIDDEN.search(str(el.get("style") or "")) or "preheader" in classes):
            continue
        text = _INVISIBLE.sub(" ", el.get_text(" ")).strip()
        if not text:
            el.decompose()
        elif found is None:
            found = text
            el.decompose()
    return found


def _unwrap(text: str) -> str:
    """Paragraphs one per line: a line joins the one before when that one was hard-wrapped."""
    out: list[str] = []
    for para in re.split(r"\n[ \t]*\n", text):
        lines: list[str] = []
        for line in (raw.strip() for raw in para.split("\n")):
            if not line:
                continue
            if lines and len(lines[-1]) >= 50 and not _BULLET.match(line) and not lines[-1].endswith(":"):
                lines[-1] += " " + line
            else:
                lines.append(line)
        out.extend(lines)
    return "\n".join(out)


def _add(regions: list[Region], name: str, text: str, tags: list[str] | None = None,
         tag_re: re.Pattern[str] = MERGE_TAG) -> None:
    cleaned, found = clean(text, merge_tags=True, pattern=tag_re)
    if tags:
        cleaned, found = restore(cleaned, found, tags)
    if cleaned:
        regions.append(Region(name, cleaned, found))


def _decode_template(data: bytes, name: str, html_like: bool) -> str | Problem:
    """UTF-8 (a BOM allowed), or the charset an HTML template declares in a meta tag."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = f"byte {data[exc.start]:#04x} at offset {exc.start}"
        declared = _declared_charset(data) if html_like else None
        if declared:
            try:
                return data.decode(declared)
            except LookupError:
                return Problem("decode_error", f"{name}: declares unknown charset {declared!r}")
            except UnicodeDecodeError as exc2:
                return Problem("decode_error", f"{name}: byte {data[exc2.start]:#04x} at offset "
                               f"{exc2.start} is not valid {declared}, the charset it declares")
        return Problem("decode_error", f"{name}: {bad} is not valid UTF-8 (expected UTF-8 text"
                       + (" or a <meta charset> declaring another encoding)" if html_like else ")"))


def _declared_charset(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", data[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


# -- messages -------------------------------------------------------------------------------


def messages(data: bytes, name: str, max_size: int = 0,
             tag_re: re.Pattern[str] = MERGE_TAG) -> Iterator[Email | Problem]:
    """One RFC 5322 message: its own text, then each message it carries (a forward attached as
    message/rfc822, the parts of a digest, the original of a bounce) as ``name#part=N``."""
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    if not {k.lower() for k in msg.keys()} & _MESSAGE_HEADERS:
        yield Problem("parse_error", f"{name}: not an email message (expected RFC 5322 headers such "
                      "as From, Date and Subject before the body)")
        return
    carried = list(_carried(msg))
    own = _message(msg, name, max_size, tag_re, carries=bool(carried))
    if own is not None:
        yield own
    for n, inner in enumerate(carried, 1):
        part = f"#part={n}"
        found = _message(inner, name + part, max_size, tag_re, carries=False)
        if found is not None:
            found.part = part
            yield found


def _carried(msg: EmailMessage) -> Iterator[EmailMessage]:
    """Messages inside a message, in order (nested ones too): message/rfc822 parts."""
    for part in msg.walk():
        if part is msg or part.get_content_type() != "message/rfc822":
            continue
        for inner in part.iter_parts():
            if isinstance(inner, EmailMessage):
                yield inner


def _message(msg: EmailMessage, name: str, max_size: int, tag_re: re.Pattern[str],
             carries: bool) -> Email | Problem | None:
    """A message's own text (None when it has none but carries messages that do)."""
    try:
        subject = str(msg.get("Subject") or "")
    except (ValueError, IndexError) as exc:  # a header the parser could not decode
        return Problem("decode_error", f"{name}: cannot decode its Subject header ({exc})")
    part = _body(msg)
    if part is None:
        if carries:
            return None
        return Problem("parse_error", f"{name}: no text/html or text/plain part to read "
                       f"(it is {msg.get_content_type()})")
    text, charset = _part_text(part)
    ctype = "text/plain" if part.get_content_maintype() == "multipart" else part.get_content_type()
    if max_size and len(text.encode("utf-8", "surrogatepass")) > max_size:
        return Problem("too_large", f"{name}: its {ctype} text is {len(text.encode('utf-8', 'replace'))} "
                       f"bytes, over max_email_size ({max_size}); attachments do not count")
    found = (from_html(text, subject=subject, tag_re=tag_re) if ctype == "text/html"
             else from_text(text, subject=subject, tag_re=tag_re))
    if not found.title:
        found.title = clean(subject, merge_tags=True, pattern=tag_re)[0]
    found.extra = {
        "from": str(msg.get("From") or ""),
        "date": str(msg.get("Date") or ""),
        "message_id": str(msg.get("Message-ID") or ""),
        "content_type": ctype,
        "attachments": sum(1 for _ in msg.iter_attachments()) if msg.is_multipart() else 0,
    }
    if charset != _charsets(part.get_content_charset())[0]:  # the declared charset did not read it
        found.extra["charset"] = f"{charset} (declared {part.get_content_charset() or 'none'})"
    if msg.defects:
        found.extra["defects"] = sorted({type(d).__name__ for d in msg.defects})
    sent = _sent_date(msg)
    if sent:
        found.extra["published"] = sent
    return found


def _body(msg: EmailMessage) -> EmailMessage | None:
    """The part to read: the best alternative (HTML over plain), else any text part that is not
    an attachment and not inside a carried message; a multipart whose parts cannot be found (no
    or wrong boundary) is read as plain text."""
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        return msg  # a broken multipart: its payload is one string
    if msg.get_content_maintype() == "text":
        return msg
    best = msg.get_body(preferencelist=("html", "plain"))
    if isinstance(best, EmailMessage):
        return best
    for part in _own_parts(msg):
        if part.get_content_maintype() == "text" and not part.is_attachment():
            return part
    return None


def _own_parts(msg: EmailMessage) -> Iterator[EmailMessage]:
    for part in msg.iter_parts():
        if part.get_content_type() == "message/rfc822":
            continue
        if part.is_multipart():
            yield from _own_parts(part)
        elif isinstance(part, EmailMessage):
            yield part


def _sent_date(msg: EmailMessage) -> str | None:
    """The message's Date header as YYYY-MM-DD (rules scope by a document's date)."""
    try:
        value = msg.get("Date")
        when = getattr(value, "datetime", None)
    except (ValueError, IndexError, TypeError):
        return None
    return when.date().isoformat() if when is not None else None


def read_mbox(path: Path, name: str, max_size: int = 0,
              tag_re: re.Pattern[str] = MERGE_TAG) -> Iterator[Email | Problem]:
    """Every message of an mbox file, each as ``name#message=N`` (N from 1, in file order), one
    at a time: only the index of message offsets is kept, so a 200 MB mbox reads in flat memory."""
    try:
        box = mailbox.mbox(path, create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as exc:
        yield _unreadable(name, exc)
        return
    try:
        if not keys:
            yield Problem("parse_error", f"{name}: no messages (expected an mbox file whose messages "
                          "each start with a 'From ' line)")
            return
        for n, key in enumerate(keys, 1):
            part = f"#message={n}"
            try:
                data = box.get_bytes(key)
                found: list[Email | Problem] = list(messages(data, name + part, max_size, tag_re))
            except OSError as exc:
                found = [_unreadable(name + part, exc)]
            for item in found:
                item.part = part + item.part
                yield item
    finally:
        box.close()


def _part_text(part: EmailMessage) -> tuple[str, str]:
    """A text part's text and the charset that read it: the declared one, else UTF-8, else
    windows-1252 (what a mislabelled legacy message almost always is), never a lost message."""
    if part.is_multipart():
        return "", "utf-8"
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):  # a broken multipart keeps its body as a string
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    for charset in _charsets(part.get_content_charset()):
        try:
            return payload.decode(charset), charset
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1"), "latin-1"  # every byte is a character: never reached in practice


def _charsets(declared: str | None) -> list[str]:
    """Decoders to try, strictly, in order: the declared charset (latin-1 read as windows-1252,
    as browsers do), then UTF-8, then windows-1252."""
    first = {"us-ascii": "ascii", "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
             "l1": "cp1252"}.get(declared or "", declared)
    return list(dict.fromkeys(c for c in (first, "utf-8", "cp1252") if c))


def _unreadable(name: str, exc: BaseException) -> Problem:
    why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return Problem("parse_error", f"{name}: cannot read the file ({why}); expected a readable email "
                   "template or message")

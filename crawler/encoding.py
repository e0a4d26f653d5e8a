"""HTML bytes -> text, trusting a declared encoding only when the bytes agree with it.

Sites declare encodings wrongly all the time: a server says ``charset=utf-8`` in front of a
windows-1252 file, or nothing is declared at all. Decoding with the declaration blindly turns
"café" into "caf\ufffd" and the audit then flags text nobody wrote. So each candidate (byte
order mark, HTTP header, ``<meta charset>``, UTF-8, windows-1252) must decode the bytes cleanly
to win; a mostly-UTF-8 page with a stray bad byte stays UTF-8. A body that is not text at all
(a binary file served as text/html) raises DecodeError instead of becoming a garbage document.
"""

from __future__ import annotations

import logging

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

logger = logging.getLogger(__name__)

FALLBACK = "cp1252"  # what browsers assume for undeclared Western pages (WHATWG)
CONTROL_OK = {"\t", "\n", "\r", "\f"}
MAX_CONTROL = 0.01  # share of control characters above which a body is binary, not text
MAX_REPLACED = 0.10  # share of undecodable characters above which it is not text either


class DecodeError(ValueError):
    """The body is not text in any encoding we would trust."""


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding name) of an HTML body; raise DecodeError for binary data."""
    bom, mark = read_bom(body)
    if mark:
        body = body[len(mark):]  # the byte order mark is not text
    declared = [
        bom,
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(body[:4096]),
    ]
    candidates: list[str] = []
    for enc in [*declared, "utf-8", FALLBACK]:
        name = resolve_encoding(enc) if enc else None
        if name and name not in candidates:
            candidates.append(name)
    if candidates[0] in SINGLE_BYTE and _is_utf8(body):
        # Any bytes decode "cleanly" as a single-byte charset; bytes that are valid UTF-8 with
        # multi-byte characters are UTF-8 whatever the header says ("cafÃ©" is never meant).
        candidates.insert(0, "utf-8")
    text, encoding = _first_clean(body, candidates)
    if text and "\x00" in text and not encoding.startswith(("utf-16", "utf-32")):
        # A stray NUL in a text page is dropped; a binary file has far more control bytes than
        # the share allowed below and is still refused.
        nuls = text.count("\x00")
        if nuls / len(text) <= MAX_CONTROL:
            text = text.replace("\x00", "")
    if text:
        control = sum(1 for ch in text if ord(ch) < 32 and ch not in CONTROL_OK) / len(text)
        replaced = text.count("\ufffd") / len(text)
        if control > MAX_CONTROL or replaced > MAX_REPLACED:
            raise DecodeError(f"not text: {control:.0%} control and {replaced:.0%} undecodable "
                              f"characters as {encoding}")
    return text, encoding


SINGLE_BYTE = frozenset({"cp1252", "windows-1252", "iso8859-1", "latin-1", "iso8859-15", "cp1250",
                         "cp1251", "iso8859-2", "ascii"})


def _is_utf8(body: bytes) -> bool:
    """Valid UTF-8 holding at least one multi-byte character."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 127 for ch in text)


def _first_clean(body: bytes, candidates: list[str]) -> tuple[str, str]:
    for enc in candidates:
        try:
            return body.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            pass
        if enc == "utf-8" and _mostly_utf8(body):
            logger.debug("stray bytes in a UTF-8 body; keeping UTF-8")
            return body.decode("utf-8", errors="replace"), enc
    return body.decode(FALLBACK, errors="replace"), FALLBACK


def _mostly_utf8(body: bytes) -> bool:
    """True when valid multi-byte UTF-8 sequences outnumber the invalid bytes."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good > 2 * bad


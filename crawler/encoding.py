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
    wide = any(e and e.startswith(("utf-16", "utf-32")) for e in declared)
    if not wide and b"\x00" in body[:8192]:
        raise DecodeError("NUL bytes in the body: binary data, not HTML")
    candidates: list[str] = []
    for enc in [*declared, "utf-8", FALLBACK]:
        name = resolve_encoding(enc) if enc else None
        if name and name not in candidates:
            candidates.append(name)
    text, encoding = _first_clean(body, candidates)
    if text:
        control = sum(1 for ch in text if ord(ch) < 32 and ch not in CONTROL_OK) / len(text)
        replaced = text.count("\ufffd") / len(text)
        if control > MAX_CONTROL or replaced > MAX_REPLACED:
            raise DecodeError(f"not text: {control:.0%} control and {replaced:.0%} undecodable "
                              f"characters as {encoding}")
    return text, encoding


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


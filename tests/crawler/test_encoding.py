"""crawler.encoding: declared encodings are trusted only when the bytes agree."""

from __future__ import annotations

import random

import pytest

from crawler.encoding import DecodeError, decode_html

TEXT = "<html><body><p>caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve \u20ac</p></body></html>"


def test_header_charset_is_used() -> None:
    assert decode_html(TEXT.encode("utf-8"), "text/html; charset=UTF-8") == (TEXT, "utf-8")


def test_meta_charset_is_used_without_a_header_charset() -> None:
    html = '<meta charset="windows-1252">' + TEXT
    assert decode_html(html.encode("cp1252"), "text/html")[0] == html


def test_undeclared_windows_1252_is_sniffed() -> None:
    assert decode_html(TEXT.encode("cp1252"), None)[0] == TEXT


def test_wrong_header_charset_falls_back_to_what_decodes() -> None:
    text, encoding = decode_html(TEXT.encode("cp1252"), "text/html; charset=utf-8")
    assert (text, encoding) == (TEXT, "cp1252")


def test_a_stray_byte_in_utf8_keeps_utf8() -> None:
    body = (TEXT * 3).encode("utf-8") + b"\xe9"
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "utf-8" and text.startswith(TEXT)


def test_utf16_with_bom_is_not_binary() -> None:
    assert decode_html(TEXT.encode("utf-16"), None)[0] == TEXT


@pytest.mark.parametrize("nul", [True, False])
def test_binary_is_a_decode_error(nul: bool) -> None:
    rng = random.Random(7)
    body = bytes(rng.randrange(256) for _ in range(4096))
    if not nul:
        body = body.replace(b"\x00", b"")
    with pytest.raises(DecodeError):
        decode_html(body, "text/html")


def test_a_stray_nul_in_a_text_page_is_dropped_not_a_decode_error() -> None:
    body = ("<p>" + TEXT + "</p>\n") * 20 + "<p>a log line\x00 with a NUL</p>"
    text, encoding = decode_html(body.encode("utf-8"), "text/html")
    assert encoding == "utf-8" and "a log line with a NUL" in text and "\x00" not in text


@pytest.mark.parametrize("header", ["iso-8859-1", "windows-1252", "latin1"])
def test_utf8_bytes_behind_a_single_byte_header_are_utf8(header: str) -> None:
    body = '<meta charset="utf-8"><p>Sync your résumé and café receipts.</p>'.encode()
    text, encoding = decode_html(body, f"text/html; charset={header}")
    assert encoding == "utf-8" and "résumé and café" in text


def test_a_single_byte_page_behind_its_own_header_stays_single_byte() -> None:
    body = "<p>Sync your résumé.</p>".encode("cp1252")
    assert decode_html(body, "text/html; charset=iso-8859-1") == ("<p>Sync your résumé.</p>", "cp1252")

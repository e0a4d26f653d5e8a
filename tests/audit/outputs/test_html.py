"""The report page without a browser: self-contained, escaped, with a CSP that matches it."""

import base64
import hashlib
import re
from html import unescape

from audit.outputs import write_outputs
from audit.outputs.html import template_dirs

from .xss import JS_URL, PAYLOADS, build_xss_store


def _html(make_store, tmp_path, *runs) -> str:
    return write_outputs(make_store(*runs), tmp_path / "out", formats=["html"])["html"].read_text()


def test_the_report_shows_what_was_audited_and_each_finding(make_store, tmp_path):
    html = _html(make_store, tmp_path)
    assert "https://example.test/missing" in html and "404 Not Found" in html
    assert 'Try <mark>acme cloud</mark> free for 14 days.' in html
    assert "Brand terms" in html and "Facts across touchpoints" in html
    assert "⚠</span> Conflict" in html
    assert html.count('<article class="finding"') == 4
    assert html.count('<li class="hit"') == 7


def test_style_and_script_are_inline_and_allowed_by_their_hash_only(make_store, tmp_path):
    html = _html(make_store, tmp_path)
    csp = unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1])
    assert csp.startswith("default-src 'none';") and "img-src data:" in csp
    assert "unsafe-inline" not in csp
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        assert len(blocks) == 1
        digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(?!data:)", html)
    assert " style=" not in html and " on" + "click=" not in html


def test_crawled_text_is_escaped_and_only_http_urls_become_links(tmp_path):
    path = build_xss_store(tmp_path / "x.db")
    html = write_outputs(path, tmp_path / "out", formats=["html"])["html"].read_text()
    body = html.split("<body", 1)[1].rsplit("<script>", 1)[0]
    for p in PAYLOADS:
        assert p not in body
    assert "<script" not in body and "<svg onload" not in body and "<img" not in body
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs and all(h.startswith(("https://", "#")) for h in hrefs), set(hrefs)
    assert JS_URL.replace("'", "&#39;") in body or "javascript:window.__xss=5" in body  # shown as text


def test_templates_are_found_through_the_templates_package():
    dirs = template_dirs()
    assert dirs and all(d.endswith("templates") for d in dirs)

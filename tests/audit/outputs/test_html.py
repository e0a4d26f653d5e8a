"""The report page without a browser: self-contained, escaped, with a CSP that matches it."""

import base64
import hashlib
import re
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import templates
from audit.findings import Observation
from audit.outputs import write_outputs

from .conftest import RunSpec, fact, loc, sample_run, term
from .xss import JS_URL, PAYLOADS, build_xss_store


def _html(make_store, tmp_path, *runs) -> str:
    return write_outputs(make_store(*runs), tmp_path / "out", formats=["html"])["html"].read_text()


def test_the_report_shows_what_was_audited_and_each_finding(make_store, tmp_path):
    html = _html(make_store, tmp_path)
    assert "https://example.test/missing" in html and "404 Not Found" in html
    assert 'Try <mark>acme cloud</mark> free for 14 days.' in html
    assert "Brand terms" in html and "Facts across touchpoints" in html
    assert "⚠</span> Conflict" in html
    # One group per rule and wording (two brand-name wordings, the language rule, the fact),
    # every place once, in its group's template.
    assert html.count('<details class="grp"') == 4
    assert html.count('<li data-p="') == 7


def test_contradictions_lead_then_fix_first_then_rules_then_facts(make_store, tmp_path):
    html = _html(make_store, tmp_path)
    order = [html.index(f'id="{s}"') for s in ("contradictions", "fix-first", "findings", "facts", "summary")]
    assert order == sorted(order)
    contra = html[html.index('id="contradictions"'):html.index('id="fix-first"')]
    # The trial-length conflict: one row, 14 days (expected, 3 statements) beside 30 days.
    assert contra.count('<li class="contra"') == 1
    assert contra.index("14 days") < contra.index("30 days")
    assert '<span class="tag">expected</span>' in contra and "3 statements" in contra
    assert '<span class="chip">help <span class="cn">1 page</span></span>' in contra
    anchor = re.search(r'<a href="#(fact-[0-9a-f]+)">Evidence', contra)[1]
    assert f'<details class="fact" id="{anchor}">' in html


def test_one_group_per_rule_and_wording_with_its_reach(make_store, tmp_path):
    run = sample_run()
    again = [term("brand-name", loc(tp, url, "body", "acme cloud", "Try acme cloud today."), severity="error")
             for tp, url in (("site", "https://example.test/a"), ("site", "https://example.test/b"),
                             ("mail", "emails/x.eml"))]
    run.findings[1:1] = again
    html = _html(make_store, tmp_path, run)
    assert html.count('<details class="grp"') == 4  # the three join the "acme cloud" group
    assert ("‘acme cloud’ → ‘Acme Cloud’</span> <span class=\"gs\">4 places on 4 pages (site 3, mail 1)"
            in html)


def test_findings_on_pages_not_recrawled_are_listed_apart_from_fixed(make_store, tmp_path):
    first = sample_run()
    first.findings.append(term("brand", loc("site", "https://example.test/old", "body", "AcmeCloud",
                                            "AcmeCloud is here.")))
    html = _html(make_store, tmp_path, first, sample_run())
    assert "1 finding of run #1 not rechecked: its page is not in this crawl" in html
    assert '<a href="https://example.test/old"' in html
    assert html.count('<details class="grp"') == 4  # not among this run's or the fixed ones


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


def test_templates_load_from_a_zipped_egg_as_scrapyd_imports_it(tmp_path):
    """Scrapyd puts the project's egg, a zip file, first on sys.path."""
    source = Path(templates.__file__).parent
    egg = tmp_path / "project.egg"
    with zipfile.ZipFile(egg, "w") as z:
        for path in source.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, Path("templates") / path.relative_to(source))
    script = (
        f"import sys; sys.path.insert(0, {str(egg)!r})\n"
        "import templates\n"
        "from audit.outputs.html import environment\n"
        "print(templates.__file__)\n"
        "print(environment().get_template('report.html.j2').filename)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    package, template = out.stdout.splitlines()
    assert package.startswith(str(egg)) and template.startswith(str(egg)), out.stdout


def test_a_templates_package_without_the_report_is_refused_clearly(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "__init__.py").write_text("")
    script = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from audit.outputs.html import environment\n"
        "environment()\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode != 0
    assert "is not touchaudit's (it has no report.html.j2)" in out.stderr


def test_a_fact_without_an_expected_value_marks_the_majority_not_an_expectation(make_store, tmp_path):
    prices = [Observation("price", {"amount": a}, f"${a}", loc("site", f"https://example.test/{i}", "body",
                                                                f"${a}", f"Pro costs ${a}."), "", f"${a}.00")
              for i, a in enumerate((29, 29, 25))]
    run = RunSpec(findings=[fact("plan-price", "price", "", prices)], observations=prices)
    html = _html(make_store, tmp_path, run)
    contra = html[html.index('id="contradictions"'):html.index('id="findings"')]
    assert contra.count('<li class="contra"') == 1
    assert '<span class="tag">most places</span>' in contra
    assert '<span class="tag">expected</span>' not in contra
    assert contra.index("$29.00") < contra.index("$25.00")


def test_a_place_escapes_every_character_markupsafe_escapes_the_same_way():
    from markupsafe import escape

    from audit.findings import Location
    from audit.outputs.html import _escape, place

    hostile = "<script>alert('x' & \"y\")</script> › ünïcode"
    assert _escape(hostile) == str(escape(hostile))
    loc = Location(hostile, "https://a.example/?q=<x>&r='1'", "body", 0, 6, "<scri", hostile, 0, hostile,
                   [hostile], "", 3)
    html = str(place(loc))
    assert "<script>" not in html and "alert(&#39;x&#39; &amp; &#34;y&#34;)" in html

"""A store whose every crawled string is an attack on the report page."""

from __future__ import annotations

from pathlib import Path

from audit.documents import Document, Failure, Region
from audit.findings import Finding, Location, Observation

from .conftest import RunSpec, build_store

SCRIPT = "<script>window.__xss=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=2;alert(2)">'
BREAKOUT = "</textarea></script><svg onload=\"window.__xss=3;alert(3)\">"
QUOTES = "\" autofocus onfocus=\"window.__xss=4\" x='"
JS_URL = "javascript:window.__xss=5;alert(5)"
PAYLOADS = (SCRIPT, IMG, BREAKOUT, QUOTES)


def _loc(tp: str, url: str, text: str, title: str) -> Location:
    sentence = f"{IMG} before {text} after {BREAKOUT}"
    start = sentence.index(text)
    return Location(tp, url, "body", start, start + len(text), text, sentence, 0, title)


def build_xss_store(path: Path) -> Path:
    tp = f"site{QUOTES}"
    urls = [JS_URL, f"https://example.test/{QUOTES}", f"https://example.test/?q={SCRIPT}",
            " javascript:alert(6)", "data:text/html,<script>alert(7)</script>"]
    locs = [_loc(tp, u, p, title=p) for u in urls for p in PAYLOADS]
    findings = [
        Finding("term", f"rule{SCRIPT}", "error", f"message {IMG}", [loc], f"expected {BREAKOUT}",
                f"fp{i}", "new")
        for i, loc in enumerate(locs)
    ]
    obs = [Observation(f"fact{SCRIPT}", p, p, loc, f"q{QUOTES}", f"display {p}")
           for p, loc in zip(PAYLOADS, locs, strict=False)]
    findings.append(Finding(
        "fact", "facts", "warning", f"values differ {SCRIPT}", [o.location for o in obs],
        f"exp {IMG}", "fpfact", "open",
        {"fact": f"fact{SCRIPT}", "qualifier": f"q{QUOTES}",
         "groups": [{"value": o.value, "display": o.display, "count": 1,
                     "locations": [o.location.to_dict()]} for o in obs]}))
    docs = [Document(tp, "website", u, SCRIPT, [Region("body", IMG)]) for u in urls]
    failures = [Failure(tp, JS_URL, "http_4xx", f"detail {BREAKOUT}", 404),
                Failure(tp, f"https://example.test/{IMG}", "parse_error", SCRIPT)]
    build_store(path, [RunSpec(findings, obs)], documents=docs, failures=failures)
    return path

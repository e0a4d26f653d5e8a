"""report.html: one self-contained page (inline CSS and JS, no other request), from templates/.

Everything shown comes from crawled pages and is untrusted: Jinja2 autoescapes every value, no
data is embedded as JSON (the filter reads data attributes), only http(s) URLs become links, and
a Content-Security-Policy allows nothing but the page's own style and script, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from audit.findings import Finding, Location, Observation
from audit.outputs.charts import touchpoint_chart, trend_chart
from audit.outputs.facts import finding_values
from audit.outputs.model import ReportData, finding_touchpoints
from audit.outputs.snippets import highlight, safe_href

KIND_TITLES = {"term": "Brand terms", "language": "Product language", "fact": "Facts"}
SHOWN_LOCATIONS = 5  # per finding before the rest fold into a <details>
BIG_REPORT = 500  # findings above which off-screen rows skip rendering (CSS content-visibility)


def template_loader() -> jinja2.BaseLoader:
    """The ``templates`` package's loader, wherever it was imported from (a folder or a zip)."""
    loader = jinja2.PackageLoader("templates", "")
    if "report.html.j2" not in loader.list_templates():
        raise FileNotFoundError(
            f"the 'templates' package at {importlib.import_module('templates').__file__} is not "
            "touchaudit's (it has no report.html.j2): another distribution shadows it"
        )
    return loader


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=template_loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(highlight=highlight, href=safe_href, kind_titles=KIND_TITLES)
    return env


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@dataclass
class Page:
    """The by-page view: one page (touchpoint + URL) and the finding locations on it."""

    touchpoint: str
    url: str
    title: str
    hits: list[tuple[Finding, Location]] = field(default_factory=list)


def pages(findings: list[Finding]) -> list[Page]:
    out: dict[tuple[str, str], Page] = {}
    for f in findings:
        for loc in f.locations:
            page = out.setdefault((loc.touchpoint, loc.url), Page(loc.touchpoint, loc.url, loc.title))
            page.title = page.title or loc.title
            page.hits.append((f, loc))
    return [out[k] for k in sorted(out)]


def render_html(data: ReportData) -> str:
    env = environment()
    css = env.get_template("partials/style.css.j2").render()
    js = env.get_template("partials/script.js.j2").render()
    findings = data.all_findings
    touchpoints = [t.name for t in data.touchpoints]
    for f in findings:
        touchpoints += [tp for tp in finding_touchpoints(f) if tp not in touchpoints]
    rules = sorted({f.rule for f in findings})
    by_fact: dict[tuple[str, str], list[Observation]] = {}
    for o in data.observations:
        by_fact.setdefault((o.fact, o.qualifier), []).append(o)
    fact_values = {id(f): finding_values(f, by_fact) for f in findings if f.kind == "fact"}
    kinds = [k for k in KIND_TITLES if any(f.kind == k for f in findings)]
    kinds += sorted({f.kind for f in findings} - set(kinds))
    return env.get_template("report.html.j2").render(
        data=data,
        css=css,
        js=js,
        csp=f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
            "img-src data:; base-uri 'none'; form-action 'none'",
        findings=findings,
        kinds=kinds,
        touchpoints=touchpoints,
        tp_index={tp: i for i, tp in enumerate(touchpoints)},
        rules=rules,
        rule_index={r: i for i, r in enumerate(rules)},
        values_of=lambda f: fact_values.get(id(f), []),
        pages=pages(findings),
        tp_chart=touchpoint_chart(data.totals),
        trend=trend_chart(data.history),
        shown_locations=SHOWN_LOCATIONS,
        big_report=BIG_REPORT,
    )


def write_html(data: ReportData, path: Path) -> Path:
    path.write_text(render_html(data), encoding="utf-8")
    return path

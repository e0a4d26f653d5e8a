"""report.html: one self-contained page (inline CSS and JS, no other request), from templates/.

Everything shown comes from crawled pages and is untrusted: Jinja2 autoescapes every value, no
data is embedded as JSON (the filter reads data attributes), only http(s) URLs become links, and
a Content-Security-Policy allows nothing but the page's own style and script, by hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from audit.findings import Location, Observation
from audit.outputs.charts import touchpoint_chart, trend_chart
from audit.outputs.facts import FactValue, fact_key
from audit.outputs.groups import Group, contradictions, fact_anchor, fix_first, group_findings
from audit.outputs.model import ReportData, finding_touchpoints
from audit.outputs.snippets import highlight, safe_href

KIND_TITLES = {"term": "Brand terms", "language": "Product language", "fact": "Facts"}


def template_loader() -> jinja2.BaseLoader:
    """The ``templates`` package's loader, wherever it was imported from (a folder or a zip)."""
    loader = jinja2.PackageLoader("templates", "")
    if "report.html.j2" not in loader.list_templates():
        raise FileNotFoundError(
            f"the 'templates' package at {importlib.import_module('templates').__file__} is not "
            "touchaudit's (it has no report.html.j2): another distribution shadows it"
        )
    return loader


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates, compiled once per process (``audit --watch`` writes the report again and
    again)."""
    env = jinja2.Environment(
        loader=template_loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(highlight=highlight, href=safe_href, kind_titles=KIND_TITLES, place=place,
                       hit=hit, hits=hits, statements=statements, history=history)
    return env


def _escape(text: str) -> str:
    """markupsafe's escape of a plain string, as a plain string: the same characters escaped the
    same way, without making a Markup object per value (a large report escapes a million)."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def _link(url: str, label: str) -> str:
    href = safe_href(url)
    if href:
        return f'<a href="{_escape(href)}">{_escape(label)}</a>'
    return f'<span class="path">{_escape(label)}</span>'


def place(loc: Location, with_page: bool = True) -> Markup:
    """One place: where (touchpoint, page, region, headings) and its sentence, on one line.

    Made here rather than by a template macro: a large report holds tens of thousands of places,
    and a Jinja macro call costs more than the text it writes (the output is the same)."""
    out = [f'<span class="where"><span class="tp">{_escape(loc.touchpoint)}</span>']
    if with_page:
        out.append(f" · {_link(loc.url, loc.title or loc.url)}")
        if loc.title:
            out.append(f' <span class="url">{_escape(loc.url)}</span>')
    out.append(f' · <span class="region">{_escape(loc.chrome or loc.region)}</span>')
    if loc.pages > 1:
        out.append(f' · <span class="pages">on {loc.pages} pages</span>')
    if loc.headings:
        out.append(f' · <span class="headings" title="the headings above it">'
                   f'{_escape(" › ".join(loc.headings))}</span>')
    before, match, after = highlight(loc)
    out.append(f'</span><q class="snip">{_escape(before)}<mark>{_escape(match)}</mark>{_escape(after)}</q>')
    return Markup("".join(out))


def hit(loc: Location, page_index: dict[tuple[str, str], int]) -> Markup:
    """A place in a group's list, with the index of its page (the by-page view finds it so)."""
    return Markup(f'<li data-p="{page_index.get((loc.touchpoint, loc.url), -1)}">{place(loc)}</li>')


def hits(locs: list[Location], page_index: dict[tuple[str, str], int]) -> Markup:
    """Every place of a group's list in one call (a template loop calls once per place)."""
    return Markup("".join(hit(loc, page_index) for loc in locs))


def statements(value: FactValue, fact: str) -> Markup:
    """Each place a fact's value was stated, and why it was read as the fact."""
    out = []
    for i, loc in enumerate(value.locations):
        why = value.read_as(i)
        said = f'<p class="why">Read as {_escape(fact)}: {_escape(why)}</p>' if why else ""
        out.append(f"<li>{place(loc)}{said}</li>")
    return Markup("".join(out))


def history(values: list[FactValue]) -> Markup:
    """Each statement kept as history, with its value and why it is history."""
    return Markup("".join(f'<li><strong>{_escape(v.display)}</strong> {place(loc)}<p class="why">'
                          f"{_escape(v.read_as(i))}</p></li>"
                          for v in values for i, loc in enumerate(v.locations)))


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@dataclass
class Page:
    """The by-page view: one page (touchpoint + URL), how many places on it, and what kinds of
    finding (as space-separated lists the filter reads)."""

    touchpoint: str
    url: str
    title: str
    hits: int = 0
    sev: str = " "
    status: str = " "
    rules: str = " "


def pages(groups: list[Group], rule_index: dict[str, int]) -> list[Page]:
    out: dict[tuple[str, str], Page] = {}
    touching: dict[tuple[str, str], dict[int, None]] = {}  # page -> its groups, in group order
    for gi, g in enumerate(groups):
        for loc in g.locations:
            key = (loc.touchpoint, loc.url)
            page = out.get(key)
            if page is None:
                page = out[key] = Page(loc.touchpoint, loc.url, loc.title)
                touching[key] = {}
            elif not page.title:
                page.title = loc.title
            page.hits += 1
            touching[key][gi] = None
    for key, page in out.items():  # " a b ": space-separated, first seen first, a space at each end
        sev: dict[str, None] = {}
        rules: dict[str, None] = {}
        status: dict[str, None] = {}
        for gi in touching[key]:
            g = groups[gi]
            sev[g.severity] = None
            rules[str(rule_index[g.rule])] = None
            status.update(dict.fromkeys(g.statuses))
        page.sev = " " + "".join(f"{w} " for w in sev)
        page.rules = " " + "".join(f"{w} " for w in rules)
        page.status = " " + "".join(f"{w} " for w in status)
    return [out[k] for k in sorted(out)]


def render_html(data: ReportData) -> str:
    env = environment()
    css = env.get_template("partials/style.css.j2").render()
    js = env.get_template("partials/script.js.j2").render()
    findings = data.all_findings
    groups = group_findings(findings)
    touchpoints = [t.name for t in data.touchpoints]
    for f in findings:
        touchpoints += [tp for tp in finding_touchpoints(f) if tp not in touchpoints]
    rules = sorted({f.rule for f in findings})
    rule_index = {r: i for i, r in enumerate(rules)}
    by_fact: dict[tuple[str, str], list[Observation]] = {}
    for o in data.observations:
        by_fact.setdefault((o.fact, o.qualifier), []).append(o)
    kinds = [k for k in KIND_TITLES if any(g.kind == k for g in groups)]
    kinds += sorted({g.kind for g in groups} - set(kinds))
    by_rule: dict[str, list[tuple[str, list[Group]]]] = {}
    for kind in kinds:
        per_rule: dict[str, list[Group]] = {}
        for g in groups:
            if g.kind == kind:
                per_rule.setdefault(g.rule, []).append(g)
        by_rule[kind] = list(per_rule.items())
    page_list = pages(groups, rule_index)
    return env.get_template("report.html.j2").render(
        data=data,
        css=css,
        js=js,
        csp=f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
            "img-src data:; base-uri 'none'; form-action 'none'",
        findings=findings,
        groups=groups,
        by_rule=by_rule,
        first=fix_first(groups),
        contradictions=contradictions(groups, by_fact),
        kinds=kinds,
        touchpoints=touchpoints,
        tp_index={tp: i for i, tp in enumerate(touchpoints)},
        rules=rules,
        rule_index=rule_index,
        pages=page_list,
        page_index={(p.touchpoint, p.url): i for i, p in enumerate(page_list)},
        fact_anchor=fact_anchor,
        fact_anchor_of=lambda g: fact_anchor(*fact_key(g.findings[0])),
        tp_chart=touchpoint_chart(data.totals),
        trend=trend_chart(data.history),
    )


def write_html(data: ReportData, path: Path) -> Path:
    path.write_text(render_html(data), encoding="utf-8")
    return path

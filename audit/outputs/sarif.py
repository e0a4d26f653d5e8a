"""findings.sarif: SARIF 2.1.0 for code-scanning tools.

One result per finding location; each rule once in ``tool.driver.rules``; crawl failures as
``toolExecutionNotifications`` of the invocation (as bandit reports files it could not scan).
Artifacts are the page URL, or for files the path relative to the config folder (uriBaseId
``CONFIG_DIR``). ``charOffset``/``charLength`` count Unicode code points into the *region* text
named in the result's properties, not into the raw page; the snippet carries the sentence.
Fixed findings are left out (they are no longer there); ignored ones carry a suppression.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.findings import Finding, Location
from audit.outputs.jsonfile import write_json_file
from audit.outputs.model import ReportData
from audit.outputs.snippets import location_uri, safe_href

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
BASELINE = {"new": "new", "open": "unchanged"}
QUIET_REASONS = ("robots", "not_html")  # a page deliberately skipped, not a tool problem
KIND_NAMES = {"term": "brand term", "language": "product language", "fact": "fact consistency"}


def utc(ts: str | None) -> str | None:
    """SARIF wants ``...Z``; the store writes ``...+00:00``."""
    return ts.replace("+00:00", "Z") if ts else None


def artifact(url: str) -> dict[str, Any]:
    """A page's URL, or a file's percent-encoded path relative to the config folder."""
    if safe_href(url):
        return {"uri": url}
    return {"uri": location_uri(url), "uriBaseId": "CONFIG_DIR"}


def physical(loc: Location) -> dict[str, Any]:
    return {
        "artifactLocation": artifact(loc.url),
        "region": {"charOffset": loc.start, "charLength": max(loc.end - loc.start, 0),
                   "snippet": {"text": loc.text}},
        "contextRegion": {"charOffset": loc.snippet_start, "charLength": len(loc.snippet),
                          "snippet": {"text": loc.snippet}},
    }


def rules(findings: list[Finding]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.rule not in seen:
            seen[f.rule] = {
                "id": f.rule,
                "name": f.rule,
                "shortDescription": {"text": f"{KIND_NAMES.get(f.kind, f.kind)} rule {f.rule}"},
                "defaultConfiguration": {"level": LEVELS.get(f.severity, "warning")},
                "properties": {"kind": f.kind},
            }
    return list(seen.values())


def results(findings: list[Finding], rule_index: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        for loc in f.locations:
            r: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": rule_index[f.rule],
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": f.message + (f" (expected: {f.expected})" if f.expected else "")},
                "locations": [{"physicalLocation": physical(loc)}],
                "partialFingerprints": {"touchaudit/v1": f.fingerprint},
                "properties": {"kind": f.kind, "status": f.status, "touchpoint": loc.touchpoint,
                               "region": loc.region, "expected": f.expected},
            }
            if f.status in BASELINE:
                r["baselineState"] = BASELINE[f.status]
            if f.status == "ignored":
                r["suppressions"] = [{"kind": "external", "justification": "in the ignore list"}]
            out.append(r)
    return out


def notifications(data: ReportData) -> list[dict[str, Any]]:
    return [
        {
            "level": "note" if f.reason in QUIET_REASONS else "error",
            "message": {"text": f"{f.reason}: {f.detail}" if f.detail else f.reason},
            "descriptor": {"id": f.reason},
            "locations": [{"physicalLocation": {"artifactLocation": artifact(f.url)}}],
            "properties": {"touchpoint": f.touchpoint, "status": f.status},
        }
        for f in data.failures
    ]


def report_sarif(data: ReportData) -> dict[str, Any]:
    rule_list = rules(data.findings)
    index = {r["id"]: i for i, r in enumerate(rule_list)}
    invocation: dict[str, Any] = {
        "executionSuccessful": data.crawl.state == "complete",
        "toolExecutionNotifications": notifications(data),
    }
    for key, ts in (("startTimeUtc", data.run.started_at), ("endTimeUtc", data.run.finished_at)):
        if ts:
            invocation[key] = utc(ts)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "touchaudit", "version": data.tool_version,
                                "rules": rule_list}},
            "originalUriBaseIds": {"CONFIG_DIR": {"description": {"text": "the config file's folder"}}},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": results(data.findings, index),
            "properties": {"run_id": data.run.id, "crawl_id": data.crawl.id,
                           "crawl_state": data.crawl.state},
        }],
    }


def write_sarif(data: ReportData, path: Path) -> Path:
    """findings.sarif: the log, its run and the run's members indented, each result on one line."""
    return write_json_file(report_sarif(data), path, levels=4)

import json
import os
from pathlib import Path

import jsonschema
import pytest

from audit.outputs import write_outputs
from audit.outputs.model import load_report
from audit.outputs.sarif import report_sarif

from .conftest import RunSpec, loc, sample_run, term

GOLD = Path(__file__).parent / "gold"

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_ARTIFACT = {"type": "object", "required": ["uri"],
             "properties": {"uri": {"type": "string", "format": "uri-reference"},
                            "uriBaseId": {"type": "string"}}}
_REGION = {"type": "object", "properties": {
    "charOffset": {"type": "integer", "minimum": 0}, "charLength": {"type": "integer", "minimum": 0},
    "snippet": {"type": "object", "required": ["text"]}}}
_LOCATION = {"type": "object", "properties": {"physicalLocation": {
    "type": "object", "required": ["artifactLocation"],
    "properties": {"artifactLocation": _ARTIFACT, "region": _REGION, "contextRegion": _REGION}}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}

# The parts of the SARIF 2.1.0 schema (OASIS) that touchaudit writes, written out by hand: the
# required properties, their types and the enumerations, so a wrong shape fails here.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "$schema", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "sarif-2\\.1\\.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {"name": {"type": "string"}, "rules": {"type": "array", "items": {
                        "type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string"}, "shortDescription": _MESSAGE,
                                       "defaultConfiguration": {"type": "object",
                                                                "properties": {"level": _LEVEL}}}}}}}}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"],
                    "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "startTimeUtc": {"type": "string", "pattern": "Z$"},
                        "endTimeUtc": {"type": "string", "pattern": "Z$"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"],
                            "properties": {"message": _MESSAGE, "level": _LEVEL,
                                           "locations": {"type": "array", "items": _LOCATION}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message", "ruleId", "level", "locations"],
                    "properties": {
                        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": _LEVEL, "message": _MESSAGE,
                        "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
                        "baselineState": {"enum": ["new", "unchanged", "updated", "absent"]},
                        "partialFingerprints": {"type": "object",
                                                "additionalProperties": {"type": "string"}},
                        "suppressions": {"type": "array", "items": {
                            "type": "object", "required": ["kind"],
                            "properties": {"kind": {"enum": ["inSource", "external"]}}}}}}},
            }}},
    },
}


def _sarif(make_store, tmp_path, *runs: RunSpec) -> dict:
    path = write_outputs(make_store(*runs), tmp_path / "out", formats=["sarif"])["sarif"]
    return json.loads(path.read_text(encoding="utf-8"))


def test_sarif_matches_the_2_1_0_structure(make_store, tmp_path):
    doc = _sarif(make_store, tmp_path)
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_one_result_per_finding_location_with_level_and_baseline(make_store, tmp_path):
    run = _sarif(make_store, tmp_path)["runs"][0]
    results = run["results"]
    assert len(results) == 3 + 4
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"brand-name", "no-sign-in",
                                                                    "trial-length"}
    first = results[0]
    assert first["level"] == "error" and first["baselineState"] == "new"
    phys = first["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "https://example.test/"}
    assert phys["region"] == {"charOffset": 4, "charLength": 10, "snippet": {"text": "acme cloud"}}
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["no-sign-in"] == "note"
    ignored = next(r for r in results if r["ruleId"] == "no-sign-in")
    assert ignored["suppressions"][0]["kind"] == "external"


def test_file_locations_are_relative_to_the_config_folder(make_store, tmp_path):
    run = _sarif(make_store, tmp_path)["runs"][0]
    mail = next(r for r in run["results"] if r["properties"]["touchpoint"] == "mail")
    assert mail["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "emails/welcome.eml#part=2", "uriBaseId": "CONFIG_DIR"}
    assert "CONFIG_DIR" in run["originalUriBaseIds"]


def test_crawl_failures_are_tool_execution_notifications(make_store, tmp_path):
    inv = _sarif(make_store, tmp_path)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is True
    notes = inv["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [("http_4xx", "error"),
                                                                    ("timeout", "error")]
    assert notes[0]["message"]["text"] == "http_4xx: 404 Not Found"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "https://example.test/missing")


def test_an_interrupted_crawl_is_not_a_successful_execution(make_store, tmp_path):
    inv = report_sarif(load_report(make_store(state="interrupted")))["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False


def test_fixed_findings_are_left_out_and_open_ones_are_unchanged(make_store, tmp_path):
    first = sample_run()
    first.findings.append(term("old-rule", first.findings[0].locations[0]))
    run = _sarif(make_store, tmp_path, first, sample_run())["runs"][0]
    assert "old-rule" not in {r["ruleId"] for r in run["results"]}
    open_states = {r["baselineState"] for r in run["results"] if r["properties"]["status"] == "open"}
    assert open_states == {"unchanged"}


def scrub(doc: dict) -> dict:
    """Take out what changes between runs of the same data: times and the tool's version."""
    run = doc["runs"][0]
    run["tool"]["driver"]["version"] = "VERSION"
    for inv in run["invocations"]:
        for key in ("startTimeUtc", "endTimeUtc"):
            if key in inv:
                inv[key] = "TIME"
    return doc


def test_sarif_output_matches_the_gold_file(make_store, tmp_path):
    small = RunSpec(findings=[
        term("brand-name", loc("site", "https://example.test/", "body", "acme cloud",
                               "Try acme cloud free.", title="Home"), severity="error"),
        term("brand-name", loc("mail", "emails/welcome.eml#part=2", "subject", "AcmeCloud",
                               "Welcome to AcmeCloud"), status="open"),
    ])
    doc = scrub(_sarif(make_store, tmp_path, small))
    actual = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    gold = GOLD / "small.sarif"
    if os.environ.get("TOUCHAUDIT_UPDATE_GOLD"):
        gold.write_text(actual, encoding="utf-8")
    if not gold.exists():
        pytest.fail(f"{gold} is missing; see {GOLD / 'README.md'}")
    assert actual == gold.read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "uri"), [
    ("emails/news#1.html", "emails/news%231.html"),
    ("emails/a|b [draft].eml#part=2", "emails/a%7Cb%20%5Bdraft%5D.eml#part=2"),
    ("emails/welcome.eml#part=10", "emails/welcome.eml#part=10"),
    ("sent/2026 [Q1].mbox#message=3#part=1", "sent/2026%20%5BQ1%5D.mbox#message=3#part=1"),
])
def test_file_locations_are_valid_uri_references(path, uri):
    from urllib.parse import urlsplit

    from audit.outputs.sarif import artifact

    got = artifact(path)
    assert got == {"uri": uri, "uriBaseId": "CONFIG_DIR"}
    assert not set("|[] ") & set(got["uri"])
    fragment = path.split("#", 1)[1] if "#part=" in path or "#message=" in path else ""
    assert urlsplit(got["uri"]).fragment == fragment

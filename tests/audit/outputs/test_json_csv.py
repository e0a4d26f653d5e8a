import csv
import json
import re
from pathlib import Path

import pytest

from audit.outputs import write_outputs
from audit.outputs.csv_out import COLUMNS
from audit.outputs.json_out import FORMAT_VERSION

from .conftest import loc, sample_run, term


def test_json_has_a_format_version_and_the_documented_top_level_keys(make_store, tmp_path):
    path = write_outputs(make_store(), tmp_path / "out", formats=["json"])["json"]
    doc = json.loads(path.read_text())
    assert doc["format_version"] == FORMAT_VERSION == 2
    assert set(doc) == {"format_version", "tool", "run", "crawl", "totals", "findings", "fixed",
                        "not_rechecked", "groups", "fix_first", "observations", "fact_matrix", "history"}
    assert doc["crawl"]["failures"][0] == {"touchpoint": "site", "url": "https://example.test/missing",
                                           "uri": "https://example.test/missing",
                                           "reason": "http_4xx", "status": 404, "detail": "404 Not Found"}
    assert {t["name"] for t in doc["crawl"]["touchpoints"]} == {"site", "help", "mail"}


def test_json_findings_carry_locations_and_fact_values(make_store, tmp_path):
    doc = json.loads(write_outputs(make_store(), tmp_path, formats=["json"])["json"].read_text())
    f = doc["findings"][0]
    assert set(f) >= {"kind", "rule", "severity", "message", "expected", "status", "fingerprint", "locations"}
    assert f["locations"][0] == {
        "touchpoint": "site", "url": "https://example.test/", "uri": "https://example.test/", "title": "Home",
        "region": "body", "start": 4, "end": 14, "text": "acme cloud",
        "snippet": "Try acme cloud free for 14 days.",
        "snippet_start": 0, "headings": [], "chrome": None, "pages": 1,
    }
    fact = next(f for f in doc["findings"] if f["kind"] == "fact")
    assert fact["fact"]["id"] == "trial_length"
    values = fact["fact"]["values"]
    assert [v["value"] for v in values] == [{"days": 14}, {"days": 30}]
    assert values[0]["display"] == "14 days" and values[0]["texts"] == ["14 days", "14-day"]
    assert values[1]["differs"] and values[1]["locations"][0]["url"] == "https://example.test/pricing"
    obs = doc["observations"][0]
    assert obs["value"] == {"days": 14} and obs["text"] == "14 days" and obs["location"]["region"] == "body"
    row = doc["fact_matrix"]["rows"][1]
    assert row["fact"] == "trial_length" and row["conflict"] is True
    assert set(row["cells"]) == {"site", "help", "mail"}


def test_json_lists_fixed_findings_apart(make_store, tmp_path):
    first = sample_run()
    first.findings.append(term("old-rule", first.findings[0].locations[0]))
    doc = json.loads(write_outputs(make_store(first, sample_run()), tmp_path, formats=["json"])["json"]
                     .read_text())
    assert [(f["rule"], f["status"]) for f in doc["fixed"]] == [("old-rule", "fixed")]
    assert "fixed" not in {f["status"] for f in doc["findings"]}
    assert [h["run_id"] for h in doc["history"]] == [1, 2]


def test_csv_has_one_row_per_finding_location(make_store, tmp_path):
    path = write_outputs(make_store(), tmp_path, formats=["csv"])["csv"]
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 3 + 4  # three one-place findings, a fact stated in four places
    fact_rows = [r for r in rows if r["kind"] == "fact"]
    assert {r["url"] for r in fact_rows} == {"https://example.test/", "https://example.test/pricing",
                                            "https://help.example.test/a/1", "emails/welcome.eml#part=2"}
    assert rows[0]["start"] == "4" and rows[0]["text"] == "acme cloud"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralized(make_store, tmp_path):
    from .conftest import loc

    run = sample_run()
    run.findings = [term("r", loc("site", "https://example.test/", "body", "=HYPERLINK(1)",
                                  "see =HYPERLINK(1) here"), message="@SUM(1)")]
    path = write_outputs(make_store(run), tmp_path, formats=["csv"])["csv"]
    row = next(csv.DictReader(path.open(newline="", encoding="utf-8")))
    assert row["text"] == "'=HYPERLINK(1)" and row["message"] == "'@SUM(1)"
    assert row["snippet"] == "see =HYPERLINK(1) here"


def test_json_groups_follow_the_schema_and_name_their_findings(make_store, tmp_path):
    import jsonschema

    run = sample_run()
    run.findings.insert(1, term("brand-name", loc("site", "https://example.test/b", "body", "acme cloud",
                                                  "Try acme cloud today."), severity="error"))
    doc = json.loads(write_outputs(make_store(run), tmp_path, formats=["json"])["json"].read_text())
    schema = json.loads((Path(__file__).parents[3] / "docs" / "findings.schema.json").read_text())
    jsonschema.validate(doc, schema)
    acme = next(g for g in doc["groups"] if g["text"] == "acme cloud")
    assert acme["places"] == 2 and acme["pages"] == 2 and acme["touchpoints"] == {"site": 2}
    assert acme["title"] == "‘acme cloud’ → ‘Acme Cloud’" and acme["statuses"] == {"new": 2}
    fingerprints = {f["fingerprint"] for f in doc["findings"]}
    assert all(set(g["findings"]) <= fingerprints for g in doc["groups"])
    assert len(doc["groups"]) == 4 and doc["fix_first"][0] in {g["id"] for g in doc["groups"]}


# RFC 3986 URI-reference characters; "#" once at most, before the fragment.
_URI_REF = re.compile(r"^[A-Za-z0-9\-._~:/?@!$&'()*+,;=%]*(?:#[A-Za-z0-9\-._~:/?@!$&'()*+,;=%]*)?$")


@pytest.mark.parametrize(("url", "uri"), [
    ("https://acme.example/pricing?plan=pro#faq", "https://acme.example/pricing?plan=pro#faq"),
    ("emails/news#1.html", "emails/news%231.html"),
    ("emails/a|b [draft].eml#part=2", "emails/a%7Cb%20%5Bdraft%5D.eml#part=2"),
    ("sent/2026 [Q1].mbox#message=3#part=1", "sent/2026%20%5BQ1%5D.mbox#message=3#part=1"),
    ("mails/caf\\xe9.txt", "mails/caf%5Cxe9.txt"),  # a name that was not UTF-8, as stored
])
def test_json_locations_and_failures_carry_a_valid_uri(url: str, uri: str, make_store, tmp_path: Path):
    from audit.documents import Failure
    from audit.findings import Location
    from audit.outputs.json_out import location_json

    assert location_json(Location("mail", url, "body", 0, 1, "x"))["uri"] == uri
    if "#message" not in uri:
        assert _URI_REF.match(uri), uri
    store = make_store(failures=[Failure("mail", url, "parse_error", "broken")])
    write_outputs(store, tmp_path, ["json"])
    failures = json.loads((tmp_path / "findings.json").read_text())["crawl"]["failures"]
    assert {f["url"]: f["uri"] for f in failures}[url] == uri

import pytest

from audit.errors import TouchauditError
from audit.findings import Finding, Location
from audit.outputs import exit_code, write_outputs


def test_default_formats_are_html_json_and_sarif(make_store, tmp_path):
    written = write_outputs(make_store(), tmp_path / "out")
    assert {k: p.name for k, p in written.items()} == {
        "html": "report.html", "json": "findings.json", "sarif": "findings.sarif"}
    assert all(p.is_file() for p in written.values())


def test_an_unknown_format_is_refused_before_anything_is_written(make_store, tmp_path):
    with pytest.raises(TouchauditError, match="unknown output format pdf"):
        write_outputs(make_store(), tmp_path / "out", formats=["html", "pdf"])
    assert not (tmp_path / "out").exists()


def test_a_missing_store_is_a_store_error_and_is_not_created(tmp_path):
    from audit.errors import StoreError

    with pytest.raises(StoreError, match="no such store"):
        write_outputs(tmp_path / "none.db", tmp_path / "out")
    assert not (tmp_path / "none.db").exists()


def _f(severity: str, status: str = "new") -> Finding:
    return Finding("term", "r", severity, "m", [Location("s", "u", "body", 0, 1, "x")], status=status)


@pytest.mark.parametrize(("severities", "fail_on", "code"), [
    ([], "info", 0),
    (["info"], "info", 1),
    (["info"], "warning", 0),
    (["warning"], "warning", 1),
    (["error"], "warning", 1),
    (["warning", "info"], "error", 0),
    (["error"], "error", 1),
    (["error"], "never", 0),
])
def test_exit_code_is_one_when_a_finding_is_at_or_above_fail_on(severities, fail_on, code):
    assert exit_code([_f(s) for s in severities], fail_on) == code


def test_ignored_and_fixed_findings_never_fail_the_run():
    assert exit_code([_f("error", "ignored"), _f("error", "fixed")], "info") == 0
    assert exit_code([_f("error", "open")], "info") == 1


def test_an_unknown_fail_on_level_is_refused():
    with pytest.raises(TouchauditError, match="--fail-on must be one of"):
        exit_code([], "critical")

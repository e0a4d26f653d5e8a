from audit.findings import Finding, Location
from audit.outputs import load_report
from audit.outputs.snippets import highlight, safe_href

from .conftest import RunSpec, loc, sample_run, term


def test_the_latest_run_is_read_with_its_crawl_and_touchpoints(make_store):
    data = load_report(make_store())
    assert data.run.id == 1 and data.crawl.state == "complete"
    tps = {t.name: t for t in data.touchpoints}
    assert tps["site"].documents == 2 and tps["site"].kinds == {"website": 2}
    assert tps["help"].failure_reasons == {"timeout": 1}
    assert [f.reason for f in data.failures] == ["http_4xx", "timeout"]


def test_totals_leave_ignored_findings_out_and_count_a_finding_once_per_touchpoint(make_store):
    t = load_report(make_store()).totals
    assert t.findings == 3
    assert t.by_severity == {"error": 2, "warning": 1}
    assert t.by_kind == {"term": 2, "fact": 1}
    assert t.by_touchpoint == {"help": 1, "mail": 2, "site": 2}
    assert t.by_status == {"new": 2, "open": 1, "ignored": 1}


def test_findings_gone_since_the_previous_run_of_the_config_are_fixed(make_store):
    first = sample_run()
    gone = term("old-rule", first.findings[0].locations[0])
    first.findings.append(gone)
    data = load_report(make_store(first, sample_run()))
    assert data.run.previous_run_id == 1
    assert [(f.rule, f.status) for f in data.fixed] == [("old-rule", "fixed")]
    assert gone.fingerprint not in {f.fingerprint for f in data.findings}
    assert [h.run_id for h in data.history] == [1, 2]
    assert data.history[0].total == 4


def test_a_finding_gone_with_its_page_is_not_rechecked_rather_than_fixed(make_store):
    first = sample_run()
    # https://example.test/missing failed in this crawl; /old was not reached at all.
    failed = term("brand", loc("site", "https://example.test/missing", "body", "acme cloud",
                               "Meet acme cloud."))
    unreached = term("brand", loc("site", "https://example.test/old", "body", "AcmeCloud",
                                  "AcmeCloud is here."))
    first.findings += [failed, unreached]
    data = load_report(make_store(first, sample_run()))
    assert [f.locations[0].url for f in data.not_rechecked] == [
        "https://example.test/missing", "https://example.test/old"]
    assert {f.status for f in data.not_rechecked} == {"new"}  # as the previous run had them
    assert data.fixed == []


def test_a_named_run_is_read_and_its_own_previous_run_compared(make_store):
    data = load_report(make_store(sample_run(), RunSpec()), run_id=1)
    assert data.run.id == 1 and data.fixed == [] and len(data.history) == 1


def test_fact_matrix_marks_the_conflicting_fact_and_the_value_that_differs(make_store):
    m = load_report(make_store()).fact_matrix
    assert m.touchpoints == ["help", "mail", "site"]
    rows = {(r.fact, r.qualifier): r for r in m.rows}
    trial = rows[("trial_length", "")]
    assert trial.conflict and trial.expected == "14 days" and trial.rule == "trial-length"
    assert [(v.display, v.count, v.differs) for v in trial.values] == [("14 days", 3, False),
                                                                      ("30 days", 1, True)]
    site = trial.cells["site"]
    assert [(v.display, v.count, v.differs) for v in site] == [("14 days", 1, False), ("30 days", 1, True)]
    assert trial.cells["mail"][0].texts == ["14-day"]
    price = rows[("price", "pro")]
    assert not price.conflict and list(price.cells) == ["site"]


def test_a_fact_finding_without_observations_fills_its_row_from_its_groups(make_store):
    run = sample_run()
    run.observations = []
    row = load_report(make_store(run)).fact_matrix.rows[0]
    assert row.fact == "trial_length" and row.conflict
    assert {v.display for v in row.values} == {"14 days", "30 days"}


def test_highlight_uses_offsets_relative_to_the_snippet():
    loc = Location("s", "u", "body", 30, 34, "Acme", "Buy Acme now.", 26)
    assert highlight(loc) == ("Buy ", "Acme", " now.")


def test_highlight_falls_back_to_searching_when_offsets_do_not_fit():
    loc = Location("s", "u", "body", 500, 504, "Acme", "Buy Acme now.", 0)
    assert highlight(loc) == ("Buy ", "Acme", " now.")
    assert highlight(Location("s", "u", "body", 0, 4, "Acme", "", 0)) == ("", "Acme", "")


def test_long_snippets_are_cut_around_the_match():
    text = "a" * 500 + "Acme" + "b" * 500
    before, match, after = highlight(Location("s", "u", "body", 500, 504, "Acme", text, 0))
    assert match == "Acme" and len(before) == 161 and before.startswith("…") and after.endswith("…")


def test_only_http_urls_are_links():
    assert safe_href("https://example.test/a?b=1") == "https://example.test/a?b=1"
    for url in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x",
                "emails/welcome.eml", "//evil.test/", "http:///nohost", "file:///etc/passwd"):
        assert safe_href(url) is None, url


def test_findings_are_ordered_by_kind_then_severity():
    from audit.outputs.model import sort_findings

    loc = Location("s", "u", "body", 0, 1, "x")
    fs = [Finding("fact", "f", "error", "", [loc]), Finding("term", "b", "info", "", [loc]),
          Finding("term", "a", "error", "", [loc]), Finding("language", "l", "warning", "", [loc])]
    assert [f.rule for f in sort_findings(fs)] == ["a", "b", "l", "f"]

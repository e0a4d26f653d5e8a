"""Crawls run as Scrapy jobs (`scrapy crawl`, as Scrapyd runs them): one spider per job.

Jobs that share TOUCHAUDIT_CRAWL_NAME build one crawl; the last one to close finishes, audits and
reports it (crawler/jobs.py). Real `scrapy crawl` processes against a real server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.store import RunStore, Store
from tests.crawl_helpers import SCHEDULED_SITE, scheduled_project, scrapy_crawl
from tests.server import FixtureServer


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(SCHEDULED_SITE) as srv:
        yield srv


def _crawls(tmp_path: Path) -> list[dict]:
    with Store(tmp_path / "touchaudit.db") as store:
        return [dict(r) | {"counts": json.loads(r["counts"]),
                           "jobs": [(j["touchpoint"], j["state"]) for j in store.crawl_jobs(r["id"])]}
                for r in store.crawls()]


def test_named_jobs_make_one_crawl_and_the_last_one_audits_it_across_touchpoints(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    first = scrapy_crawl(config, "website", "TOUCHAUDIT_CRAWL_NAME=weekly")
    assert first.returncode == 0, first.stderr
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "running" and crawl["jobs"] == [("site", "complete")]
    assert not (tmp_path / "touchaudit-out").exists()  # the emails are still to come

    second = scrapy_crawl(config, "email", "TOUCHAUDIT_CRAWL_NAME=weekly")
    assert second.returncode == 0, second.stderr
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "complete" and crawl["name"] == "weekly"
    assert crawl["counts"] == {"site": {"documents": 2, "failures": 0},
                               "emails": {"documents": 1, "failures": 0}}
    assert crawl["jobs"] == [("site", "complete"), ("emails", "complete")]

    report = json.loads((tmp_path / "touchaudit-out" / "findings.json").read_text())
    assert (tmp_path / "touchaudit-out" / "report.html").is_file()
    assert (tmp_path / "touchaudit-out" / "findings.sarif").is_file()
    assert report["run"]["crawl_id"] == crawl["id"]
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert set(by_rule) == {"product-name", "trial-length"}
    trial_places = {loc["touchpoint"] for loc in by_rule["trial-length"]["locations"]}
    assert trial_places == {"site", "emails"}  # compared across the two jobs' touchpoints
    # The audit's summary is in the job's log (a warning: there are errors, as exit 1 would say).
    assert "2 error" in second.stderr and "touchaudit-out" in second.stderr


def test_an_unnamed_job_is_a_crawl_of_its_own_reported_when_it_closes(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    out = tmp_path / "reports" / "site"
    result = scrapy_crawl(config, "website", f"TOUCHAUDIT_REPORT_DIR={out}",
                          "TOUCHAUDIT_REPORT_FORMATS=json,csv")
    assert result.returncode == 0, result.stderr
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "complete" and crawl["counts"].keys() == {"site"}
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.json"]
    rules = {f["rule"] for f in json.loads((out / "findings.json").read_text())["findings"]}
    assert rules == {"product-name"}  # one touchpoint: the trial length has nothing to differ from


def test_a_broken_rule_file_keeps_the_crawl_and_says_what_to_fix(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    (tmp_path / "rules" / "brand.yaml").write_text("rules:\n  - id: product-name\n    kind: term\n")
    result = scrapy_crawl(config, "website")
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "complete" and crawl["counts"]["site"]["documents"] == 2
    assert f"crawl {crawl['id']} is stored, but its audit failed" in result.stderr
    problem = "rules/brand.yaml:2:5: rule 'product-name' is missing the required key 'preferred'"
    assert problem in result.stderr
    assert not (tmp_path / "touchaudit-out").exists()
    with Store(tmp_path / "touchaudit.db") as store:
        assert RunStore(store).runs() == []


def test_a_job_waits_only_for_the_touchpoints_it_is_told_to(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    result = scrapy_crawl(config, "email", "TOUCHAUDIT_CRAWL_NAME=mail-only", "TOUCHAUDIT_TOUCHPOINTS=emails")
    assert result.returncode == 0, result.stderr
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "complete" and (tmp_path / "touchaudit-out" / "report.html").is_file()


def test_an_unknown_touchpoint_to_wait_for_is_refused_before_crawling(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    result = scrapy_crawl(config, "email", "TOUCHAUDIT_CRAWL_NAME=w", "TOUCHAUDIT_TOUCHPOINTS=emails,blog")
    assert "TOUCHAUDIT_TOUCHPOINTS: blog is not a touchpoint of" in result.stderr
    assert "(it has site, emails)" in result.stderr
    assert not (tmp_path / "touchaudit.db").exists() or _crawls(tmp_path) == []

"""Crawls run as Scrapy jobs (`scrapy crawl`, as Scrapyd runs them): one spider per job.

Jobs that share TOUCHAUDIT_CRAWL_NAME build one crawl; the last one to close finishes, audits and
reports it (crawler/jobs.py). Real `scrapy crawl` processes against a real server.
"""

from __future__ import annotations

import json
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audit.store import RunStore, Store
from tests.crawl_helpers import (
    SCHEDULED,
    SCHEDULED_SITE,
    page_fetches,
    scheduled_project,
    scrapy_crawl,
    start_scrapy_crawl,
    stop_half_way,
    stored_documents,
    write_site,
)
from tests.server import FixtureServer

PAGES = 40


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


# -- a job stopped half-way continues its crawl ------------------------------------------------
@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureServer, list[str]]]:
    root = tmp_path_factory.mktemp("slow-site")
    paths = write_site(root, PAGES)
    with FixtureServer(root) as srv:
        srv.delay = 0.1  # each request: the job is still crawling when the test stops it
        yield srv, paths


def _slow_project(tmp_path: Path, base: str) -> Path:
    shutil.copytree(SCHEDULED / "rules", tmp_path / "rules")
    config = tmp_path / "touchaudit.yaml"
    config.write_text(f"""\
rules: [rules]
crawl: {{concurrency: 2, per_host: 2, retries: 0}}
touchpoints:
  - {{name: site, kind: website, start_urls: ["{base}/"], max_depth: 100, sitemap: false}}
""", encoding="utf-8")
    return config


def _paths(tmp_path: Path, crawl_id: int) -> list[str]:
    with Store(tmp_path / "touchaudit.db") as store:
        return sorted(urlsplit(d.url).path for d in store.iter_documents(crawl_id))


def test_a_job_stopped_with_ctrl_c_continues_the_same_crawl_from_its_jobdir(slow_site, tmp_path):
    srv, paths = slow_site
    first = len(srv.responses)
    config = _slow_project(tmp_path, srv.base)
    jobdir = f"JOBDIR={tmp_path / 'job'}"
    proc = start_scrapy_crawl(config, "website", jobdir, "TOUCHAUDIT_BATCH=3")
    stop_half_way(proc, lambda: stored_documents(tmp_path / "touchaudit.db") >= 6, signal.SIGINT)
    [stopped] = _crawls(tmp_path)
    assert stopped["state"] == "interrupted" and stopped["jobs"] == [("site", "interrupted")]
    assert 0 < stopped["counts"]["site"]["documents"] < PAGES

    again = scrapy_crawl(config, "website", jobdir)

    assert again.returncode == 0, again.stderr[-3000:]
    assert f"crawl {stopped['id']}: site resumed by job" in again.stderr
    [crawl] = _crawls(tmp_path)  # the same crawl, not a second one holding the rest
    assert crawl["state"] == "complete" and crawl["jobs"] == [("site", "complete")]
    assert _paths(tmp_path, crawl["id"]) == sorted(paths), "every page stored, each once"
    assert all(n == 1 for n in page_fetches(srv, first).values()), "no page fetched twice"
    report = json.loads((tmp_path / "touchaudit-out" / "findings.json").read_text())
    assert report["crawl"]["state"] == "complete" and report["run"]["crawl_id"] == crawl["id"]

    # A JOBDIR is one crawl's: Scrapy would skip every request it saw, so reusing it is an error.
    reused = scrapy_crawl(config, "website", jobdir)
    assert "give each crawl a JOBDIR of its own" in reused.stderr


def test_a_killed_named_job_is_resumed_with_touchaudit_resume(slow_site, tmp_path):
    srv, paths = slow_site
    config = _slow_project(tmp_path, srv.base)
    proc = start_scrapy_crawl(config, "website", "TOUCHAUDIT_CRAWL_NAME=weekly", "TOUCHAUDIT_BATCH=3")
    stop_half_way(proc, lambda: stored_documents(tmp_path / "touchaudit.db") >= 6, signal.SIGKILL)
    [killed] = _crawls(tmp_path)
    assert killed["state"] == "running" and killed["jobs"] == [("site", "running")]

    again = scrapy_crawl(config, "website", "TOUCHAUDIT_CRAWL_NAME=weekly", "TOUCHAUDIT_RESUME=1")

    assert again.returncode == 0, again.stderr[-3000:]
    [crawl] = _crawls(tmp_path)
    assert crawl["id"] == killed["id"] and crawl["state"] == "complete"
    assert _paths(tmp_path, crawl["id"]) == sorted(paths), "every page stored, each once"
    assert (tmp_path / "touchaudit-out" / "report.html").is_file()


def test_resume_without_a_stopped_job_starts_a_new_crawl(site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    result = scrapy_crawl(config, "website", "TOUCHAUDIT_CRAWL_NAME=weekly", "TOUCHAUDIT_RESUME=1",
                          "TOUCHAUDIT_TOUCHPOINTS=site")
    assert result.returncode == 0, result.stderr
    assert "no stopped site job of crawl name 'weekly'" in result.stderr
    [crawl] = _crawls(tmp_path)
    assert crawl["state"] == "complete" and crawl["counts"]["site"]["documents"] == 2

"""The crawl on a real Scrapyd server started on 127.0.0.1: deployed with scrapyd-deploy through
scrapy.cfg's deploy target, scheduled through schedule.json, ending with its audit and report.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from audit.store import Store
from tests.crawl_helpers import (
    REPO,
    SCHEDULED_SITE,
    scheduled_project,
    wait_until,
    write_site,
)
from tests.server import FixtureServer

BIN = Path(sys.executable).parent
if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
    if os.environ.get("CI"):
        raise RuntimeError("scrapyd and scrapyd-client must be installed in CI (pip install -e '.[test]')")
    pytest.skip("scrapyd or scrapyd-client is not installed", allow_module_level=True)

# What scrapyd-deploy packs into the egg: the project, as a clone has it.
PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md", "scrapy.cfg", "audit", "crawler", "templates",
                 "rules")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Scrapyd:
    url: str
    home: Path

    def get(self, endpoint: str, **query: str) -> dict:
        with urllib.request.urlopen(f"{self.url}/{endpoint}?{urllib.parse.urlencode(query)}",
                                    timeout=30) as r:
            return json.loads(r.read())

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(f"{self.url}/{endpoint}", data=data, timeout=30) as r:
            return json.loads(r.read())

    def wait_finished(self, job_ids: list[str], limit: float = 180) -> list[dict]:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            jobs = self.get("listjobs.json", project="touchaudit")
            finished = [j for j in jobs["finished"] if j["id"] in job_ids]
            if len(finished) == len(job_ids):
                return finished
            time.sleep(0.5)
        raise AssertionError(f"jobs {job_ids} not finished in {limit}s: {self.get('listjobs.json')}")

    def log(self, job: dict) -> str:
        return (self.home / "logs" / "touchaudit" / job["spider"] / f"{job['id']}.log").read_text()


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    home = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
        "max_proc = 2\npoll_interval = 0.5\n",
    )
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                            stderr=open(home / "scrapyd.err", "w"))  # noqa: SIM115 - closed with proc
    server = Scrapyd(f"http://127.0.0.1:{port}", home)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((home / "scrapyd.err").read_text()) from None
                time.sleep(0.2)
        _deploy(server, tmp_path_factory.mktemp("project"), port)
        yield server
    finally:
        proc.terminate()
        proc.wait(30)


def _deploy(server: Scrapyd, src: Path, port: int) -> None:
    """scrapyd-deploy from a copy of the project whose deploy target points at this server."""
    for name in PROJECT_FILES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(path, src / name)
    cfg = (src / "scrapy.cfg").read_text()
    assert "url = http://127.0.0.1:6800/" in cfg  # the target users deploy to
    (src / "scrapy.cfg").write_text(cfg.replace("127.0.0.1:6800", f"127.0.0.1:{port}"))
    deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "local"], cwd=src, capture_output=True,
                            text=True, timeout=300)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert '"status": "ok"' in deploy.stdout, deploy.stdout
    spiders = server.get("listspiders.json", project="touchaudit")
    assert sorted(spiders["spiders"]) == ["email", "helpcenter", "website"], spiders


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(SCHEDULED_SITE) as srv:
        yield srv


def test_jobs_scheduled_through_schedule_json_end_with_one_crawl_audited_and_reported(
    scrapyd: Scrapyd, site: FixtureServer, tmp_path: Path
):
    config = scheduled_project(tmp_path, site.base)
    out = tmp_path / "weekly-report"
    settings = [("setting", f"TOUCHAUDIT_CONFIG={config}"), ("setting", "TOUCHAUDIT_CRAWL_NAME=2026-w49"),
                ("setting", f"TOUCHAUDIT_REPORT_DIR={out}")]
    ids = []
    for spider, touchpoint in (("website", "site"), ("email", "emails")):
        answer = scrapyd.post("schedule.json", [("project", "touchaudit"), ("spider", spider),
                                                ("touchpoint", touchpoint), *settings])
        assert answer["status"] == "ok", answer
        ids.append(answer["jobid"])
    jobs = scrapyd.wait_finished(ids)
    logs = {j["spider"]: scrapyd.log(j) for j in jobs}
    for log in logs.values():
        assert "Traceback" not in log and " ERROR: " not in log, log

    with Store(config.parent / "touchaudit.db") as store:
        [crawl] = store.crawls()
        assert crawl["name"] == "2026-w49" and crawl["state"] == "complete"
        assert sorted((j["touchpoint"], j["job"]) for j in store.crawl_jobs(crawl["id"])) == sorted(
            zip(("site", "emails"), ids, strict=True))  # Scrapyd's job ids
        assert store.crawl_counts(crawl["id"]) == {"site": {"documents": 2, "failures": 0},
                                                   "emails": {"documents": 1, "failures": 0}}
    report = json.loads((out / "findings.json").read_text())
    assert (out / "report.html").is_file() and (out / "findings.sarif").is_file()
    assert report["run"]["crawl_id"] == crawl["id"]
    trial = next(f for f in report["findings"] if f["rule"] == "trial-length")
    assert {loc["touchpoint"] for loc in trial["locations"]} == {"site", "emails"}
    # The job that finished last wrote the summary to its Scrapyd log.
    assert sum("outputs in " + str(out) in log for log in logs.values()) == 1


def test_touchaudit_schedule_queues_every_touchpoint_for_one_report(
    scrapyd: Scrapyd, site: FixtureServer, tmp_path: Path
):
    config = scheduled_project(tmp_path, site.base)
    cli = subprocess.run(
        [sys.executable, "-m", "audit.cli", "schedule", "--config", str(config), "--scrapyd", scrapyd.url,
         "--name", "nightly"],
        capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    lines = cli.stdout.splitlines()
    assert lines[0] == f"crawl 'nightly' scheduled on {scrapyd.url} (project touchaudit):"
    ids = [line.rsplit(" ", 1)[1] for line in lines[1:]]
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["site", "emails"]
    scrapyd.wait_finished(ids)
    with Store(config.parent / "touchaudit.db") as store:
        [crawl] = store.crawls()
        assert crawl["name"] == "nightly" and crawl["state"] == "complete"
    report = json.loads((tmp_path / "touchaudit-out" / "findings.json").read_text())
    assert {f["rule"] for f in report["findings"]} == {"product-name", "trial-length"}


def test_schedule_says_clearly_when_scrapyd_refuses_or_is_not_there(scrapyd: Scrapyd, site, tmp_path):
    config = scheduled_project(tmp_path, site.base)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "audit.cli", "schedule", "--config", str(config), *args],
                              capture_output=True, text=True, timeout=60)

    refused = run("--scrapyd", scrapyd.url, "--project", "nosuchproject")
    assert refused.returncode == 2
    assert "Scrapyd refused the website job of touchpoint 'site'" in refused.stderr
    assert "nosuchproject" in refused.stderr
    gone = run("--scrapyd", f"http://127.0.0.1:{_free_port()}")
    assert gone.returncode == 2 and "cannot reach Scrapyd" in gone.stderr
    unknown = run("--scrapyd", scrapyd.url, "--touchpoint", "blog")
    assert unknown.returncode == 2 and "no touchpoint blog (it has site, emails)" in unknown.stderr


def _schedule(config: Path, scrapyd: Scrapyd, *args: str) -> list[str]:
    """`touchaudit schedule` with ``args``; the ids of the jobs it queued."""
    cli = subprocess.run([sys.executable, "-m", "audit.cli", "schedule", "--config", str(config),
                          "--scrapyd", scrapyd.url, *args], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    return [line.rsplit(" ", 1)[1] for line in cli.stdout.splitlines()[1:]]


def test_a_cancelled_job_is_resumed_by_schedule_resume_into_the_same_crawl(
    scrapyd: Scrapyd, tmp_path: Path
):
    root = tmp_path / "slow-site"
    paths = write_site(root, 40)
    project = tmp_path / "project"
    with FixtureServer(root) as srv:
        srv.delay = 0.1  # the site job is still crawling when it is cancelled
        config = scheduled_project(project, srv.base, concurrency=2, per_host=2)
        config.write_text(config.read_text().replace("sitemap: false", "sitemap: false\n    max_depth: 100"))
        site_job, mail_job = _schedule(config, scrapyd, "--name", "w50")
        wait_until(lambda: len(srv.responses) >= 6)  # pages fetched (stored in batches, later)
        assert scrapyd.post("cancel.json", [("project", "touchaudit"), ("job", site_job)])["status"] == "ok"
        scrapyd.wait_finished([site_job, mail_job])
        with Store(project / "touchaudit.db") as store:
            [stopped] = store.crawls()
            assert stopped["state"] == "interrupted"
            assert {j["touchpoint"]: j["state"] for j in store.crawl_jobs(stopped["id"])} == {
                "site": "interrupted", "emails": "complete"}
            assert 0 < store.crawl_counts(stopped["id"])["site"]["documents"] < len(paths)
        first = json.loads((project / "touchaudit-out" / "findings.json").read_text())
        assert first["crawl"]["state"] == "interrupted"  # the report says pages may be missing

        [resumed_job] = _schedule(config, scrapyd, "--name", "w50", "--touchpoint", "site", "--resume")
        [job] = scrapyd.wait_finished([resumed_job])
    assert "resumed by job " + resumed_job in scrapyd.log(job)
    with Store(project / "touchaudit.db") as store:
        [crawl] = store.crawls()  # the same crawl, complete now
        assert crawl["id"] == stopped["id"] and crawl["state"] == "complete"
        urls = [d.url for d in store.iter_documents(crawl["id"]) if d.touchpoint == "site"]
        assert sorted(urllib.parse.urlsplit(u).path for u in urls) == sorted(paths)
    report = json.loads((project / "touchaudit-out" / "findings.json").read_text())
    assert report["crawl"]["state"] == "complete" and report["run"]["id"] == first["run"]["id"] + 1


def test_schedule_resume_needs_the_crawl_name(scrapyd: Scrapyd, site, tmp_path):
    config = scheduled_project(tmp_path, site.base)
    cli = subprocess.run([sys.executable, "-m", "audit.cli", "schedule", "--config", str(config),
                          "--scrapyd", scrapyd.url, "--resume"], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2 and "--resume continues a crawl by its name: give --name" in cli.stderr

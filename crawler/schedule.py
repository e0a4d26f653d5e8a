"""Schedule a crawl on a Scrapyd server: one schedule.json job per touchpoint, one crawl name.

The jobs share TOUCHAUDIT_CRAWL_NAME, so they add to one crawl in the store and the last one to
finish audits it and writes the report (crawler/jobs.py). This is what a weekly cron line calls
when the crawl runs on Scrapyd; the project must be deployed there first (`scrapyd-deploy`).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from audit.config import Config
from audit.errors import TouchauditError


class ScheduleError(TouchauditError):
    """Scrapyd cannot be reached, or it refused a job."""


@dataclass
class Job:
    touchpoint: str
    spider: str
    job_id: str


def crawl_name() -> str:
    """A name for one round of jobs: the UTC minute it was scheduled."""
    return "scheduled-" + datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")


def schedule(config: Config, url: str, project: str = "touchaudit", name: str | None = None,
             touchpoints: list[str] | None = None, report_dir: Path | None = None,
             resume: bool = False) -> tuple[str, list[Job]]:
    """Schedule the touchpoints' spiders (all by default); return the crawl name and the jobs.

    With ``resume`` the jobs continue the stopped parts of the crawl called ``name``; that crawl
    still waits for every configured touchpoint, those that completed before included.
    """
    known = [t.name for t in config.touchpoints]
    unknown = [t for t in touchpoints or [] if t not in known]
    if unknown:
        raise ScheduleError(f"{config.path}: no touchpoint {', '.join(unknown)} (it has {', '.join(known)})")
    if resume and not name:
        raise ScheduleError("--resume continues a crawl by its name: give --name (as printed when "
                            "the crawl was scheduled)")
    chosen = [t for t in config.touchpoints if not touchpoints or t.name in touchpoints]
    name = name or crawl_name()
    settings = {
        "TOUCHAUDIT_CONFIG": str(config.path.resolve()),
        "TOUCHAUDIT_CRAWL_NAME": name,
        "TOUCHAUDIT_TOUCHPOINTS": ",".join(known if resume else [t.name for t in chosen]),
    }
    if resume:
        settings["TOUCHAUDIT_RESUME"] = "1"
    if report_dir is not None:
        settings["TOUCHAUDIT_REPORT_DIR"] = str(report_dir.resolve())
    jobs = []
    for tp in chosen:
        spider = tp.kind  # each kind's spider is named after it (`scrapy list`)
        fields = [("project", project), ("spider", spider), ("touchpoint", tp.name)]
        fields += [("setting", f"{k}={v}") for k, v in settings.items()]
        answer = _post(url, "schedule.json", fields)
        if answer.get("status") != "ok":
            raise ScheduleError(f"{url}: Scrapyd refused the {spider} job of touchpoint {tp.name!r}: "
                                f"{answer.get('message', answer)}")
        jobs.append(Job(tp.name, spider, answer["jobid"]))
    return name, jobs


def _post(url: str, endpoint: str, fields: list[tuple[str, str]]) -> dict:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else parts.netloc
    target = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/" + endpoint, "", ""))
    request = urllib.request.Request(target, data=urllib.parse.urlencode(fields).encode(), method="POST")
    if parts.username:  # Scrapyd's username/password options: HTTP basic auth
        token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise ScheduleError(f"{target}: Scrapyd answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScheduleError(f"{target}: cannot reach Scrapyd ({reason}); is it running there?") from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ScheduleError(f"{target}: not a Scrapyd answer: {body[:200]!r}") from exc

"""`touchaudit demo`: the whole job on a bundled demo company, with no configuration and no network.

The demo company, Northwind CloudSync, is a website (``site/``), a Zendesk-style help center
(``help/articles.json``) and email templates (``emails/``), all with planted inconsistencies
(``PLANTED.md`` lists each one and the rule that should catch it). ``run_demo`` serves the site and
the help center on 127.0.0.1 (``server.py``), writes a ``touchaudit.yaml`` naming the three
touchpoints into a work folder, copies the emails and the demo rule set (``rules/``) beside it, and
runs crawl, audit and report (``workflow.run_all``) against it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from audit.config import load_config
from workflow import RunResult, run_all

HERE = Path(__file__).parent
EMAILS = HERE / "emails"
RULES = HERE / "rules"

CONFIG = """\
# The demo company, served on {base} by touchaudit's demo server for this run only.
store: touchaudit.db
rules: [rules]
touchpoints:
  - name: website
    kind: website
    start_urls: ["{base}/"]
    exclude: ["/hc/", "/api/"]     # the help center is its own touchpoint
  - name: helpcenter
    kind: helpcenter
    zendesk: {{base_url: "{base}", locale: en-us, pagination: cursor}}
  - name: emails
    kind: email
    paths: ["emails/*"]
crawl:
  concurrency: 8
  timeout: 10
  retries: 0
"""


def write_workdir(workdir: Path, base: str) -> Path:
    """The demo's touchaudit.yaml, emails and rules in ``workdir``; returns the config's path."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name, source in (("emails", EMAILS), ("rules", RULES)):
        shutil.rmtree(workdir / name, ignore_errors=True)
        shutil.copytree(source, workdir / name)
    store = workdir / "touchaudit.db"
    for stale in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        stale.unlink(missing_ok=True)  # each demo run is a first run: no history, no 'fixed'
    path = workdir / "touchaudit.yaml"
    path.write_text(CONFIG.format(base=base), encoding="utf-8")
    return path


def run_demo(out_dir: Path, workdir: Path | None = None) -> RunResult:
    """Serve the demo company, crawl, audit and report it; outputs go to ``out_dir``.

    ``workdir`` keeps the config, the copied emails and rules, and the store (touchaudit.db) for
    a look afterwards; by default they live in a temporary folder that is removed at the end.
    """
    from audit.demo.server import DemoServer

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="touchaudit-demo-") as tmp, DemoServer() as server:
        folder = Path(workdir) if workdir is not None else Path(tmp)
        config = load_config(write_workdir(folder, server.base))
        return run_all(config, out_dir)

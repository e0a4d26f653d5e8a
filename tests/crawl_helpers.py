"""Run a real crawl in a subprocess (Twisted's reactor cannot restart inside one test process)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit.documents import Document, Failure
from audit.store import Store

if TYPE_CHECKING:
    from tests.server import FixtureServer

REPO = Path(__file__).parent.parent


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    store_path: Path
    crawl_id: int
    state: str
    documents: list[Document]
    failures: list[Failure]

    def doc(self, url_suffix: str) -> Document:
        found = [d for d in self.documents if d.url.endswith(url_suffix)]
        assert found, f"no document ending {url_suffix!r}; have {[d.url for d in self.documents]}"
        return found[0]

    @property
    def urls(self) -> list[str]:
        return sorted(d.url for d in self.documents)


def crawl(tmp_path: Path, config: str, *args: str, timeout: float = 120) -> CrawlResult:
    """Write ``config`` as tmp_path/touchaudit.yaml, run `touchaudit crawl`, read the store."""
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text(textwrap.dedent(config), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "audit.cli", "crawl", "--config", str(cfg), *args],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
    )
    store_path = tmp_path / "touchaudit.db"
    if proc.returncode not in (0, 3) or not store_path.exists():  # 3: a touchpoint collected nothing
        return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store_path, 0, "", [], [])
    with Store(store_path) as store:
        row = store.crawl()
        docs = list(store.iter_documents(row["id"]))
        fails = store.failures(row["id"])
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store_path, row["id"], row["state"],
                       docs, fails)


def start_crawl(tmp_path: Path, config: str, *args: str) -> subprocess.Popen[bytes]:
    """Like ``crawl()``, but return the running `touchaudit crawl` process (to stop it half-way)."""
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text(textwrap.dedent(config), encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "audit.cli", "crawl", "--config", str(cfg), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )


def write_site(root: Path, pages: int, links: int = 4, words: int = 60) -> list[str]:
    """A generated site: ``/`` and ``/pages/<n>.html``, each page linking to the next and to
    ``links`` others, every page reachable and with text of its own. Returns the page paths."""
    vocabulary = ("sync", "files", "team", "plan", "secure", "backup", "share", "folder", "device",
                  "offline", "upload", "invite", "storage", "support", "account", "price")
    paths = ["/"] + [f"/pages/{n}.html" for n in range(pages - 1)]
    (root / "pages").mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(paths):
        targets = {paths[(i + 1) % pages]} | {paths[(i * 7 + k * 13 + 3) % pages] for k in range(links)}
        text = " ".join(vocabulary[(i * 31 + w * 7) % len(vocabulary)] for w in range(words))
        body = (f"<html><head><title>Page {i}</title></head><body><h1>Page {i}</h1>"
                f"<p>Page {i} says: {text}.</p><ul>"
                + "".join(f'<li><a href="{t}">{t}</a></li>' for t in sorted(targets))
                + "</ul></body></html>")
        (root / ("index.html" if path == "/" else path.lstrip("/"))).write_text(body, encoding="utf-8")
    return paths


SCHEDULED = REPO / "tests" / "fixtures" / "projects" / "scheduled"
SCHEDULED_SITE = REPO / "tests" / "fixtures" / "sites" / "scheduled"


def scheduled_project(tmp_path: Path, base: str, **crawl: object) -> Path:
    """The scheduled-crawl project (its README says what is planted) in tmp_path; its config.

    ``base`` serves tests/fixtures/sites/scheduled/ at its root; ``crawl`` adds crawl options.
    """
    import json
    import shutil

    shutil.copytree(SCHEDULED, tmp_path, dirs_exist_ok=True)
    config = tmp_path / "touchaudit.yaml"
    options = json.dumps({"timeout": 5, "retries": 0, **crawl})  # JSON is YAML
    config.write_text(textwrap.dedent(f"""\
        rules: [rules]
        crawl: {options}
        touchpoints:
          - name: site
            kind: website
            start_urls: ["{base}/"]
            allowed_domains: [127.0.0.1]
            sitemap: false
          - name: emails
            kind: email
            paths: ["emails/*.txt"]
        """), encoding="utf-8")
    return config


def _scrapy_args(config: Path, spider: str, settings: tuple[str, ...]) -> list[str]:
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"TOUCHAUDIT_CONFIG={config}"]
    for setting in settings:
        args += ["-s", setting]
    return args


def scrapy_crawl(config: Path, spider: str, *settings: str,
                 timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl SPIDER` in the repository (its scrapy.cfg), as Scrapyd's runner does it."""
    return subprocess.run(_scrapy_args(config, spider, settings), capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def start_scrapy_crawl(config: Path, spider: str, *settings: str) -> subprocess.Popen[bytes]:
    """Like ``scrapy_crawl()``, but return the running process (to stop it half-way)."""
    return subprocess.Popen(_scrapy_args(config, spider, settings), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=REPO)


# -- stopping a crawl half-way ------------------------------------------------------------------
def stored_documents(store: Path) -> int:
    """Documents in the store so far, read without touching a store being created."""
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not written yet
        return 0


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def stop_half_way(proc: subprocess.Popen[bytes], ready: Callable[[], bool], sig: int) -> None:
    """Send ``sig`` to a running crawl once ``ready()`` (or it ended) and wait; kill it if stuck."""
    try:
        wait_until(lambda: ready() or proc.poll() is not None)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def page_fetches(srv: FixtureServer, start: int = 0) -> Counter[str]:
    """How many times each page was served with 200 (robots.txt and sitemap.xml are not pages)."""
    return Counter(p for p, code in srv.responses[start:] if code == 200 and not p.endswith((".txt", ".xml")))

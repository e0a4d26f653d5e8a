"""Run a real crawl in a subprocess (Twisted's reactor cannot restart inside one test process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from audit.documents import Document, Failure
from audit.store import Store


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
        capture_output=True, text=True, timeout=timeout, cwd=Path(__file__).parent.parent,
    )
    store_path = tmp_path / "touchaudit.db"
    if proc.returncode != 0 or not store_path.exists():
        return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store_path, 0, "", [], [])
    with Store(store_path) as store:
        row = store.crawl()
        docs = list(store.iter_documents(row["id"]))
        fails = store.failures(row["id"])
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store_path, row["id"], row["state"],
                       docs, fails)

"""The trees a benchmark measures in one run: this one, and another commit checked out beside it
(``--against REV``), so figures before and after a change come from the same machine state."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def trees(tmp: Path, against: str | None) -> Iterator[list[tuple[str, Path]]]:
    """[(label, repository folder)]: this tree, then ``against`` as a git worktree in ``tmp``
    (removed afterwards)."""
    out = [("this tree", REPO)]
    other = tmp / "other"
    if against:
        subprocess.run(["git", "worktree", "add", "--detach", str(other), against], cwd=REPO,
                       check=True, capture_output=True)
        out.append((against, other))
    try:
        yield out
    finally:
        if against:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=REPO,
                           capture_output=True)


def parser(doc: str | None, worker: int) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring as help, ``--against REV``, and the hidden
    ``--worker`` with the ``worker`` arguments a measurement process is given."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", help="another commit to measure in the same run (a git worktree)")
    ap.add_argument("--worker", nargs=worker, help=argparse.SUPPRESS)
    return ap


def peak_rss_mb(pid: int) -> float | None:
    """A running process's peak resident memory (VmHWM) in MB, None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def as_worker(repo: str) -> None:
    """Start a measurement process: pinned to one core (figures comparable on a shared machine)
    and importing the measured tree's code first."""
    import os
    import sys

    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    sys.path.insert(0, repo)


def run_worker(script: str, *args: object, repo: Path) -> Any:
    """Run ``script --worker ARGS`` in the tree ``repo`` and return the JSON its last line prints."""
    import json
    import sys

    out = subprocess.run([sys.executable, script, "--worker", *map(str, args)], capture_output=True,
                         text=True, check=True, cwd=repo)
    return json.loads(out.stdout.strip().splitlines()[-1])

"""One crawl, one writer: a process that crawls holds an exclusive lock on its crawl.

Two ``touchaudit crawl --resume`` at once would both continue the same crawl, fetch its pending
pages twice, and the first to end would call the crawl complete while the other still writes.
The lock is the operating system's (``flock`` on a file beside the store), so a killed process
releases it and its crawl can be resumed at once. Crawls shared on purpose through Redis
(``crawl.redis_url``) coordinate there instead and take no lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from audit.errors import StoreError


def lock_path(store: Path, crawl_id: int) -> Path:
    return store.with_name(f"{store.name}.crawl-{crawl_id}.lock")


@contextmanager
def crawl_lock(store: Path, crawl_id: int) -> Iterator[None]:
    """Hold crawl ``crawl_id`` of ``store`` for this process; StoreError when another holds it."""
    path = lock_path(store, crawl_id)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise StoreError(f"{store}: crawl {crawl_id} is being written by {holder}; wait for it to "
                             "end (or stop it) before resuming it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

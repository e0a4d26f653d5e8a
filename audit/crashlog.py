"""Tracebacks go to a log file, not to the terminal: a scheduled job's stderr says one line a problem.

`touchaudit` runs under cron, systemd and Scrapyd, where stderr becomes an alert mail. A traceback
there buries the one line that matters, so the CLI prints one line naming what went wrong and where
the traceback was written; ``--debug`` prints tracebacks as they happen instead.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import traceback
from pathlib import Path


class CrashLog:
    """One file per process, made when the first traceback is written to it."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder or tempfile.gettempdir())
        self.path: Path | None = None

    def write(self, text: str) -> Path:
        if self.path is None:
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            self.path = self.folder / f"touchaudit-{stamp}-{os.getpid()}.log"
        with self.path.open("a", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text.rstrip("\n") + "\n\n")
        return self.path

    def exception(self, exc: BaseException) -> Path:
        return self.write("".join(traceback.format_exception(exc)))


class OneLineFormatter(logging.Formatter):
    """Log records with a traceback say where it was written, on the record's own line."""

    def __init__(self, fmt: str, log: CrashLog):
        super().__init__(fmt)
        self.log = log

    def format(self, record: logging.LogRecord) -> str:
        if not record.exc_info and not record.exc_text:
            return super().format(record)
        tb = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        path = self.log.write(f"{record.levelname} {record.name}: {record.getMessage()}\n{tb}")
        short = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None,
                                       "stack_info": None})
        return f"{super().format(short)} (traceback in {path})"


def exc_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    first = text[0][:300] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


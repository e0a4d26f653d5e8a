"""One exception hierarchy, so the CLI can map every user-facing problem to exit code 2."""

from __future__ import annotations

import os
from dataclasses import dataclass


def shown(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name from another system) as \\xNN, so it
    can be printed, stored and named like any other instead of failing whatever writes it."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Problem:
    """One problem in a user's file, printed as ``file:line:col: message``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class TouchauditError(Exception):
    """Base of every error a user can cause and fix."""


class InputError(TouchauditError):
    """A config or rule file has one or more problems; all of them are listed at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreError(TouchauditError):
    """The store file cannot be used (wrong schema version, missing crawl…)."""

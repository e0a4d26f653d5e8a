"""One exception hierarchy, so the CLI can map every user-facing problem to exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


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

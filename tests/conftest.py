"""Shared fixtures: a real HTTP server over tests/fixtures/sites, and scratch projects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server import FixtureServer


@pytest.fixture(scope="session")
def server() -> Iterator[FixtureServer]:
    """One fixture HTTP server on 127.0.0.1 for the whole test session."""
    with FixtureServer() as srv:
        yield srv

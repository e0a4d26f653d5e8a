"""Every command is documented: in the README's table, and with an example in its own help."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


Command = tuple[str, argparse.ArgumentParser]


def _commands(parser: argparse.ArgumentParser, prefix: str = "touchaudit") -> list[Command]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix} {name}")
                out += nested or [(f"{prefix} {name}", sub)]
    return out


def test_every_command_is_in_the_readme_and_has_an_example():
    commands = _commands(build_parser())
    assert len(commands) >= 9
    for name, sub in commands:
        assert f"`{name}" in README, f"{name} is not documented in README.md"
        assert (sub.epilog or "").startswith("example: touchaudit"), f"{name} has no example in --help"

"""Exit codes a scheduler can trust: 1 only ever means findings; a broken job is 2, one line, no
traceback; a crawl that collected nothing from a touchpoint is 3 (README "Exit codes")."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from audit import cli
from audit.store import Store

ROOT = Path(__file__).resolve().parents[2]

# Where each command is made to fail unexpectedly: a function deep inside it, not the command.
INJECT = {
    ("crawl",): "crawler.run.run_crawl",
    ("audit",): "audit.jobs.run_audit",
    ("report",): "audit.outputs.write_outputs",
    ("run",): "workflow.run_all",
    ("schedule", "--scrapyd", "http://127.0.0.1:9"): "crawler.schedule.schedule",
    ("demo",): "audit.demo.run_demo",
    ("history",): "audit.store.RunStore.runs",
    ("migrate",): "audit.store.Store._check_schema",
    ("rules", "check"): "audit.rules.load_rules",
    ("rules", "test"): "audit.rules.testing.run_tests",
    ("rules", "schema"): "audit.rules.schema",
}


def _commands(parser: argparse.ArgumentParser) -> set[tuple[str, ...]]:
    """Every leaf command of the parser (so a new command cannot be left out of INJECT)."""
    out: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = _commands(sub)
                out |= {(name, *rest) for rest in inner} if inner else {(name,)}
    return out


def _project(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "brand.yaml").write_text(
        "rules:\n  - {id: name, kind: term, preferred: Acme, variants: [ACME]}\n")
    config = tmp_path / "touchaudit.yaml"
    config.write_text("touchpoints:\n  - {name: mail, kind: email, paths: ['*.txt']}\nrules: [rules]\n")
    (tmp_path / "welcome.txt").write_text("Subject: Welcome\n\nWelcome to ACME.\n")
    return config


def test_every_command_is_covered():
    named = {tuple(word for word in c if not word.startswith(("-", "http"))) for c in INJECT}
    assert named == _commands(cli.build_parser())


@pytest.mark.parametrize("command", list(INJECT), ids=[" ".join(c[:2]) for c in INJECT])
def test_an_unexpected_error_in_any_command_exits_2_with_one_line_and_the_traceback_in_a_log(
        command: tuple[str, ...], tmp_path: Path, monkeypatch, capsys):
    config = _project(tmp_path)
    module, _, attr = INJECT[command].rpartition(".")
    if module.endswith(("RunStore", "Store")):
        module, cls = module.rsplit(".", 1)
        target = getattr(__import__(module, fromlist=[cls]), cls)
    else:
        target = __import__(module, fromlist=[attr])

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure\nwith a second line")

    monkeypatch.setattr(target, attr, broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.chdir(tmp_path)
    args = [*command, *([] if command[0] == "demo" or command[-1] == "schema" else ["--config", str(config)])]
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == cli.EXIT_ERROR
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("touchaudit: internal error: RuntimeError: injected failure "
                               "(the traceback is in ")
    log = Path(lines[0].split("the traceback is in ")[1].split(";")[0])
    assert log.parent == tmp_path and "Traceback" in log.read_text() and "broken" in log.read_text()


def test_debug_prints_the_traceback(tmp_path: Path, monkeypatch, capsys):
    config = _project(tmp_path)
    monkeypatch.setattr("audit.rules.load_rules", lambda *a, **k: 1 / 0)
    assert cli.main(["rules", "check", "--debug", "--config", str(config)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err


def test_a_missing_optional_package_names_the_extra_that_installs_it(tmp_path: Path, monkeypatch, capsys):
    config = _project(tmp_path)
    config.write_text(config.read_text() + "crawl: {redis_url: 'redis://127.0.0.1:9/0'}\n")
    for name in ("redis", "scrapy_redis"):
        monkeypatch.setitem(sys.modules, name, None)  # what `import redis` finds without the extra
    assert cli.main(["crawl", "--config", str(config)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'touchaudit[scale]'" in err[0], err


@pytest.mark.parametrize("kind", ["a folder", "not sqlite", "no folder"])
def test_a_store_that_cannot_be_opened_is_one_line_naming_it(kind: str, tmp_path: Path, capsys):
    config = _project(tmp_path)
    store = {"a folder": tmp_path, "not sqlite": tmp_path / "welcome.txt",
             "no folder": tmp_path / "missing" / "deeper" / "t.db"}[kind]
    config.write_text(config.read_text() + f"store: {store}\n")
    assert cli.main(["history", "--config", str(config)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{store}: cannot open the store"), err


DEAD = """\
    touchpoints:
      - name: site
        kind: website
        start_urls: ["http://127.0.0.1:{port}/"]
        {allow}
      - {{name: mail, kind: email, paths: ['*.txt']}}
    rules: [rules]
    crawl: {{retries: 0, timeout: 5}}
    """


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens on it once closed


@pytest.mark.parametrize("allow", [False, True], ids=["fails", "allowed"])
def test_a_scheduled_run_against_a_dead_site_exits_3_naming_the_touchpoint(allow: bool, tmp_path: Path):
    config = _project(tmp_path)
    config.write_text(textwrap.dedent(DEAD.format(port=_closed_port(),
                                                  allow="allow_empty: true" if allow else "")))
    # as the README's cron line runs it: a separate process, its exit code is what alerts
    result = subprocess.run([sys.executable, "-m", "audit.cli", "run", "--config", str(config), "-o",
                             str(tmp_path / "out"), "--fail-on", "error"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "report.html").exists(), "the report is still written"
    line = next(x for x in result.stderr.splitlines() if "touchpoint 'site'" in x)
    assert "collected no documents (connection ×1)" in line
    if allow:
        assert result.returncode == 0, result.stderr
        assert "allowed by its allow_empty" in line
    else:
        assert result.returncode == cli.EXIT_INCOMPLETE, result.stderr
        assert "the crawl is incomplete" in line
    with Store(tmp_path / "touchaudit.db") as store:
        assert store.crawl()["state"] == "complete"


def _crawl(config: Path) -> subprocess.CompletedProcess[str]:
    """A crawl in its own process (Twisted's reactor runs once per process)."""
    return subprocess.run([sys.executable, "-m", "audit.cli", "crawl", "--config", str(config)],
                          capture_output=True, text=True, errors="replace", cwd=ROOT, timeout=300)


def test_an_email_glob_that_matches_nothing_fails_the_crawl_with_3(tmp_path: Path):
    config = _project(tmp_path)
    config.write_text(config.read_text().replace("'*.txt'", "'mails/*.eml'"))
    result = _crawl(config)
    assert result.returncode == cli.EXIT_INCOMPLETE, result.stderr
    assert "touchpoint 'mail' collected no documents (parse_error ×1)" in result.stderr


def test_a_logged_traceback_is_one_line_naming_the_log_it_went_to(tmp_path: Path):
    import logging

    from audit.crashlog import CrashLog, OneLineFormatter

    formatter = OneLineFormatter("%(levelname)s %(name)s: %(message)s", CrashLog(tmp_path))
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        record = logging.LogRecord("scrapy.core.scraper", logging.ERROR, __file__, 1,
                                   "Spider error processing %s", ("<GET http://x/>",), sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line and line.startswith("ERROR scrapy.core.scraper: Spider error processing <GET")
    log = Path(line.split("(traceback in ")[1].rstrip(")"))
    assert "ZeroDivisionError" in log.read_text()


def test_a_config_path_that_is_not_utf8_is_read_named_and_stored(tmp_path: Path, monkeypatch, capsys):
    good = _project(tmp_path)
    odd = tmp_path / b"caf\xe9.yaml".decode("utf-8", "surrogateescape")
    odd.write_bytes(good.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = _crawl(odd)
    assert result.returncode == cli.EXIT_OK, result.stderr
    assert "1 documents" in result.stdout
    with Store(tmp_path / "touchaudit.db") as store:
        assert store.crawl()["config_path"].endswith("caf\\xe9.yaml")
    odd.write_text("touchpoints: [\n")
    assert cli.main(["rules", "check", "--config", str(odd)]) == cli.EXIT_ERROR
    assert capsys.readouterr().err.startswith(f"{tmp_path}/caf\\xe9.yaml:2:1: YAML syntax error")

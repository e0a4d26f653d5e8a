"""The `touchaudit` command: a thin shell over the library's functions.

Exit codes (named constants below, as sqlfluff does), so a scheduler can tell findings from a
broken job: 0 nothing at or above --fail-on; 1 findings at or above it, and only that; 2 the
command could not do its job (usage, config, rule file, store, a missing optional package, an
unexpected error: one line on stderr, the traceback in a log file it names, or on stderr with
--debug); 3 the crawl was incomplete: a touchpoint collected nothing, or an email touchpoint
stopped at max_pages (unless the touchpoint says ``allow_empty``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from audit.config import DEFAULT_CONFIG, Config, load_config
from audit.crashlog import CrashLog, OneLineFormatter, exc_line
from audit.errors import TouchauditError

if TYPE_CHECKING:
    from audit.jobs import AuditResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3

# Optional packages, by the module a missing one is imported as, and the extra that installs it.
EXTRAS = {"redis": "scale", "scrapy_redis": "scale", "scrapyd": "scale", "scrapyd_client": "scale",
          "scrapy_playwright": "render", "playwright": "render"}

logger = logging.getLogger("touchaudit")


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl every configured touchpoint into the store."""
    from audit.store import Store
    from crawler.run import run_crawl

    config = _config(args)
    crawl_id = run_crawl(config, touchpoints=args.touchpoint or None, resume=args.resume)
    with Store(config.store) as store:
        row = store.crawl(crawl_id)
        counts = store.crawl_counts(crawl_id)
    docs = sum(c["documents"] for c in counts.values())
    failed = sum(c["failures"] for c in counts.values())
    print(f"crawl {crawl_id} {row['state']}: {docs} documents, {failed} failures -> {config.store}")
    for tp, c in sorted(counts.items()):
        print(f"  {tp}: {c['documents']} documents, {c['failures']} failures")
    _warn_scripts(config, crawl_id)
    return EXIT_INCOMPLETE if _incomplete(config, crawl_id) else EXIT_OK


def _warn_scripts(config: Config, crawl_id: int) -> None:
    """Name the pages that look empty without JavaScript: their text was not audited."""
    from audit.store import Store

    with Store(config.store) as store:
        pages = store.needing_scripts(crawl_id)
    for tp, urls in sorted(pages.items()):
        many = len(urls) != 1
        print(f"touchaudit: {tp}: {len(urls)} page{'s look' if many else ' looks'} empty without "
              f"JavaScript (e.g. {urls[0]}): {'their' if many else 'its'} text is built in the browser "
              "and was not audited", file=sys.stderr)


def _incomplete(config: Config, crawl_id: int) -> bool:
    """Say on stderr which touchpoints collected nothing (and why), or were cut short; True when
    one of them does not allow it: the run then exits 3, so a scheduled job alerts."""
    from collections import Counter

    from audit.store import Store

    with Store(config.store) as store:
        counts = store.crawl_counts(crawl_id)
        failures = store.failures(crawl_id)
        truncated = store.truncated(crawl_id)
    failed = False
    for tp in config.touchpoints:
        if tp.name in truncated:
            why = f"stopped at max_pages ({tp.max_pages}): {truncated[tp.name]}"
        elif not counts.get(tp.name, {}).get("documents", 0):
            reasons = Counter(f.reason for f in failures if f.touchpoint == tp.name)
            why = "collected no documents (" + (", ".join(f"{r} ×{n}" for r, n in reasons.most_common())
                                                or "nothing was found") + ")"
        else:
            continue
        if tp.allow_empty:
            print(f"touchaudit: touchpoint {tp.name!r} {why} (allowed by its allow_empty)", file=sys.stderr)
            continue
        failed = True
        print(f"touchaudit: touchpoint {tp.name!r} {why}: the crawl is incomplete (exit {EXIT_INCOMPLETE}; "
              "set 'allow_empty: true' on the touchpoint when that is expected)", file=sys.stderr)
    return failed


def cmd_audit(args: argparse.Namespace) -> int:
    """Apply the rules to a stored crawl (the latest by default) and store the findings."""
    from audit.jobs import run_audit
    from workflow import contradictions

    config = _config(args)
    if args.watch:
        from audit.watch import watch

        return watch(config, args)
    result = run_audit(config, crawl_id=args.crawl, model=args.model, jobs=args.jobs)
    _print_audit(result)
    lines = contradictions(config.store, result.run_id)
    _print_contradictions(lines[:3], max(0, len(lines) - 3))
    return _exit_for(config, args, result.run_id)


def _print_audit(result: AuditResult) -> None:
    print(result.summary())


def _print_contradictions(lines: list[str], more: int) -> None:
    """The largest contradictions, one plain line each: what a cron mail or a terminal shows first."""
    if lines:
        shown = f"the {len(lines)} largest of {len(lines) + more}" if more else str(len(lines))
        print(f"contradictions ({shown}):")
        for line in lines:
            print(f"  {line}")


def _exit_for(config: Config, args: argparse.Namespace, run_id: int) -> int:
    from audit.outputs import exit_code
    from audit.store import RunStore, Store

    with Store(config.store) as store:
        findings = RunStore(store).findings(run_id)
    return exit_code(findings, getattr(args, "fail_on", None) or config.fail_on)


def _formats(args: argparse.Namespace) -> list[str]:
    formats = [f.strip() for f in ",".join(args.format).split(",") if f.strip()]
    if not formats:
        from audit.jobs import DEFAULT_FORMATS

        formats = list(DEFAULT_FORMATS)
    if args.csv and "csv" not in formats:
        formats.append("csv")
    return formats


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of an audit run (the latest by default): HTML, JSON, SARIF, CSV."""
    from audit.outputs import write_outputs
    from audit.store import RunStore, Store

    config = _config(args)
    written = write_outputs(config.store, args.output, _formats(args), run_id=args.run)
    for fmt, path in written.items():
        print(f"{fmt}: {path}")
    with Store(config.store) as store:
        run_id = RunStore(store).run(args.run)["id"]
    return _exit_for(config, args, run_id)


def cmd_run(args: argparse.Namespace) -> int:
    """Crawl, audit and report in one go; print where the report is."""
    from workflow import run_all

    config = _config(args)
    result = run_all(config, args.output, _formats(args), model=args.model, jobs=args.jobs)
    _print_audit(result.audit)
    _print_contradictions(result.contradictions, result.more)
    for fmt, path in result.written.items():
        print(f"{fmt}: {path}")
    if _incomplete(config, result.crawl_id):
        return EXIT_INCOMPLETE
    return _exit_for(config, args, result.audit.run_id)


def cmd_schedule(args: argparse.Namespace) -> int:
    """Schedule a crawl on a Scrapyd server: one job per touchpoint; the last one audits and reports."""
    from crawler.schedule import schedule

    config = _config(args)
    name, jobs = schedule(config, args.scrapyd, project=args.project, name=args.name,
                          touchpoints=args.touchpoint, report_dir=args.output, resume=args.resume)
    print(f"crawl {name!r} scheduled on {args.scrapyd} (project {args.project}):")
    for job in jobs:
        print(f"  {job.touchpoint}: {job.spider} job {job.job_id}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve a bundled demo company on 127.0.0.1, crawl, audit and report it: no config, no network."""
    from audit.demo import run_demo

    result = run_demo(args.output, workdir=args.workdir)
    _print_audit(result.audit)
    _print_contradictions(result.contradictions, result.more)
    for fmt, path in result.written.items():
        print(f"{fmt}: {path}")
    print(f"open {result.written.get('html', args.output)} to see what the demo company contradicts")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    """List the audit runs of the store with their totals."""
    import json

    from audit.store import RunStore, Store

    config = _config(args)
    with Store(config.store) as store:
        runs = RunStore(store).runs()
        print(f"{'run':>4} {'crawl':>5}  {'finished':<25} {'errors':>6} {'warnings':>8} "
              f"{'info':>5} {'new':>5} {'open':>5} {'ignored':>7} {'fixed':>5} {'unchecked':>9}")
        for r in runs:
            t = json.loads(r["totals"] or "{}")
            sev, st = t.get("severity", {}), t.get("status", {})
            print(f"{r['id']:>4} {r['crawl_id']:>5}  {r['finished_at'] or 'unfinished':<25} "
                  f"{sev.get('error', 0):>6} {sev.get('warning', 0):>8} {sev.get('info', 0):>5} "
                  f"{st.get('new', 0):>5} {st.get('open', 0):>5} {st.get('ignored', 0):>7} "
                  f"{st.get('fixed', 0):>5} {st.get('not_rechecked', 0):>9}")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade the store to this touchaudit's schema in place, keeping its crawls and history."""
    from audit.store import SCHEMA_VERSION, Store

    config = _config(args)
    with Store(config.store, migrate=True) as store:
        if store.migrated_from is None:
            print(f"{config.store}: already at schema version {SCHEMA_VERSION}")
        else:
            print(f"{config.store}: upgraded from schema version {store.migrated_from} "
                  f"to {SCHEMA_VERSION}")
    return EXIT_OK


def _rule_paths(args: argparse.Namespace) -> tuple[list[Path], list[str] | None, Path | None]:
    """Rule paths from the command line, else from the config; touchpoints when a config exists."""
    config = None
    if args.config.exists():
        config = load_config(args.config)
    paths = [Path(p) for p in args.paths] or (config.rules if config else [Path("rules")])
    names = [t.name for t in config.touchpoints] if config else None
    return paths, names, config.root if config else None


def cmd_rules_check(args: argparse.Namespace) -> int:
    """Validate rule files; print every problem as file:line:col: message."""
    from audit.errors import InputError
    from audit.match import forms_that_cannot_match
    from audit.nlp import pipeline
    from audit.rules import load_rules

    paths, names, root = _rule_paths(args)
    ruleset = load_rules(paths, names, root=root)
    problems = forms_that_cannot_match(ruleset.rules, pipeline())
    if problems:
        raise InputError(problems)
    print(f"{len(ruleset.rules)} rules in {len(ruleset.files)} files: no problems")
    return EXIT_OK


def cmd_rules_test(args: argparse.Namespace) -> int:
    """Run the examples (`tests:`) that rules carry; print each failure with its rule."""
    from audit.rules import load_rules
    from audit.rules.testing import run_tests

    paths, names, root = _rule_paths(args)
    ruleset = load_rules(paths, names, root=root)
    count, failures = run_tests(ruleset)
    for failure in failures:
        print(failure)
    print(f"{count - len(failures)} passed, {len(failures)} failed")
    return EXIT_FINDINGS if failures else EXIT_OK


def cmd_rules_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of rule files (for editors' yaml-language-server)."""
    import json

    from audit.rules import schema

    text = json.dumps(schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, at least 1; got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchaudit",
        description="Find where a company contradicts itself across its touchpoints.",
    )
    parser.add_argument("--version", action="version", version=f"touchaudit {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=DEFAULT_CONFIG, type=Path,
                        help=f"the project config (default: {DEFAULT_CONFIG})")
    common.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    common.add_argument("--debug", action="store_true",
                        help="print tracebacks on stderr (else they go to a log file the message names)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("crawl", parents=[common], help="crawl every touchpoint into the store",
                       description=cmd_crawl.__doc__,
                       epilog="example: touchaudit crawl --config touchaudit.yaml")
    p.add_argument("--touchpoint", action="append", help="crawl only this touchpoint (repeatable)")
    p.add_argument("--resume", action="store_true",
                   help="continue the latest stopped or killed crawl: fetch what it had pending, "
                        "nothing it stored (a new crawl when there is none)")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("audit", parents=[common], help="apply the rules to a stored crawl",
                       description=cmd_audit.__doc__,
                       epilog="example: touchaudit audit --fail-on warning")
    p.add_argument("--crawl", type=int, help="the crawl id (default: the latest)")
    p.add_argument("--model", help="a trained spaCy pipeline to use, e.g. en_core_web_sm")
    p.add_argument("--fail-on", choices=("error", "warning", "info", "never"),
                   help="exit 1 when findings at or above this severity exist (default: config)")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="audit with this many processes (several cores: the same findings, sooner)")
    p.add_argument("--watch", action="store_true",
                   help="re-audit and rewrite the report each time a rule file is saved")
    p.add_argument("-o", "--output", type=Path, default=Path("touchaudit-out"),
                   help="with --watch: the folder the report is written to")
    p.add_argument("--format", action="append", default=[],
                   help="with --watch: the formats rewritten after each save, comma-separated or repeated "
                        "(default: html, the report a person reads while editing rules)")
    p.set_defaults(func=cmd_audit)

    outputs = argparse.ArgumentParser(add_help=False)
    outputs.add_argument("-o", "--output", type=Path, default=Path("touchaudit-out"),
                         help="the folder outputs are written to (default: touchaudit-out)")
    outputs.add_argument("--format", action="append", default=[],
                         help="html, json, sarif, csv; comma-separated or repeated "
                              "(default: html,json,sarif)")
    outputs.add_argument("--csv", action="store_true", help="also write findings.csv")
    outputs.add_argument("--fail-on", choices=("error", "warning", "info", "never"),
                         help="exit 1 when findings at or above this severity exist")

    p = sub.add_parser("report", parents=[common, outputs], help="write the report of an audit run",
                       description=cmd_report.__doc__,
                       epilog="example: touchaudit report -o out --format html,sarif")
    p.add_argument("--run", type=int, help="the audit run id (default: the latest)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("run", parents=[common, outputs], help="crawl, audit and report in one go",
                       description=cmd_run.__doc__,
                       epilog="example: touchaudit run -o out --fail-on error")
    p.add_argument("--model", help="a trained spaCy pipeline to use, e.g. en_core_web_sm")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="audit with this many processes (several cores: the same findings, sooner)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("schedule", parents=[common], help="schedule a crawl on a Scrapyd server",
                       description=cmd_schedule.__doc__,
                       epilog="example: touchaudit schedule --scrapyd http://127.0.0.1:6800")
    p.add_argument("--scrapyd", required=True, help="the Scrapyd server's URL (user:password@ if it asks)")
    p.add_argument("--project", default="touchaudit",
                   help="the project name it was deployed under (default: touchaudit)")
    p.add_argument("--name", help="the crawl's name (default: scheduled-<UTC minute>)")
    p.add_argument("--touchpoint", action="append", help="schedule only this touchpoint (repeatable)")
    p.add_argument("--resume", action="store_true",
                   help="continue the stopped (cancelled, killed) jobs of the crawl --name")
    p.add_argument("-o", "--output", type=Path,
                   help="where the last job writes the outputs (default: touchaudit-out beside the config)")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("demo", help="the whole job on a bundled demo company (no config, no network)",
                       description=cmd_demo.__doc__, epilog="example: touchaudit demo -o touchaudit-out")
    p.add_argument("-o", "--output", type=Path, default=Path("touchaudit-out"),
                   help="the folder outputs are written to (default: touchaudit-out)")
    p.add_argument("--workdir", type=Path,
                   help="keep the demo's config, emails, rules and store here (default: a temporary folder)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    p.add_argument("--debug", action="store_true", help="print tracebacks on stderr")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("history", parents=[common], help="list audit runs with their totals",
                       description=cmd_history.__doc__, epilog="example: touchaudit history")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("migrate", parents=[common], help="upgrade an older store in place",
                       description=cmd_migrate.__doc__, epilog="example: touchaudit migrate")
    p.set_defaults(func=cmd_migrate)

    rules = sub.add_parser("rules", help="check, test and describe rule files")
    rsub = rules.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")
    for name, func, example in (
        ("check", cmd_rules_check, "touchaudit rules check rules/"),
        ("test", cmd_rules_test, "touchaudit rules test rules/brand.yaml"),
    ):
        p = rsub.add_parser(name, parents=[common], help=func.__doc__.splitlines()[0],
                            description=func.__doc__, epilog=f"example: {example}")
        p.add_argument("paths", nargs="*", help="rule files or folders (default: the config's)")
        p.set_defaults(func=func)
    p = rsub.add_parser("schema", parents=[common], help=cmd_rules_schema.__doc__,
                        description=cmd_rules_schema.__doc__,
                        epilog="example: touchaudit rules schema -o rules/touchaudit-rules.schema.json")
    p.add_argument("-o", "--output", help="write the schema to this file")
    p.set_defaults(func=cmd_rules_schema)
    return parser


def _version() -> str:
    from audit import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    debug = bool(getattr(args, "debug", False))
    for stream in (sys.stdout, sys.stderr):  # a path that is not UTF-8 is printed, never a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    crashes = CrashLog()
    handler = logging.StreamHandler()
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt) if debug else OneLineFormatter(fmt, crashes))
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        handlers=[handler], force=True)
    try:
        return args.func(args)
    except TouchauditError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            return _crashed(exc, debug, crashes)
        print(f"touchaudit: this needs the optional package {exc.name!r}, which is not installed: "
              f"pip install 'touchaudit[{extra}]'", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        return _crashed(exc, debug, crashes)


def _crashed(exc: BaseException, debug: bool, crashes: CrashLog) -> int:
    """An error nobody foresaw: one line and where its traceback is, exit 2 (never 1, "findings")."""
    if debug:
        traceback.print_exception(exc)
        where = "the traceback is above"
    else:
        where = f"the traceback is in {crashes.exception(exc)}; --debug prints it"
    print(f"touchaudit: internal error: {exc_line(exc)} ({where}). Please report it.", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

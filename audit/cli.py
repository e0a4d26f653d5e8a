"""The `touchaudit` command: a thin shell over the library's functions.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, config or rule
errors (named constants below, as sqlfluff does).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from audit.config import DEFAULT_CONFIG, Config, load_config
from audit.errors import TouchauditError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

logger = logging.getLogger("touchaudit")


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl every configured touchpoint into the store."""
    from audit.store import Store
    from crawler.run import run_crawl

    config = _config(args)
    crawl_id = run_crawl(config, touchpoints=args.touchpoint or None)
    with Store(config.store) as store:
        row = store.crawl(crawl_id)
        counts = store.crawl_counts(crawl_id)
    docs = sum(c["documents"] for c in counts.values())
    failed = sum(c["failures"] for c in counts.values())
    print(f"crawl {crawl_id} {row['state']}: {docs} documents, {failed} failures -> {config.store}")
    for tp, c in sorted(counts.items()):
        print(f"  {tp}: {c['documents']} documents, {c['failures']} failures")
    return EXIT_OK


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str, str]] = {}


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("crawl", parents=[common], help="crawl every touchpoint into the store",
                       description=cmd_crawl.__doc__,
                       epilog="example: touchaudit crawl --config touchaudit.yaml")
    p.add_argument("--touchpoint", action="append", help="crawl only this touchpoint (repeatable)")
    p.set_defaults(func=cmd_crawl)
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
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except TouchauditError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

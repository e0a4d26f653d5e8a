"""`touchaudit audit --watch`: re-audit and rewrite the report each time a rule file is saved.

Polls the rule files' and the ignore list's modification times (no extra dependency, works on
every file system); a broken rule file prints its problems and the loop waits for the next save.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from audit.config import Config
from audit.errors import TouchauditError
from audit.jobs import default_ignore_path, run_audit
from audit.rules import rule_files


def _stamp(paths: list[Path]) -> tuple[tuple[str, float], ...]:
    out = []
    for p in paths:
        try:
            out.append((str(p), p.stat().st_mtime_ns))
        except OSError:
            out.append((str(p), -1))
    return tuple(out)


def _watched(config: Config) -> list[Path]:
    files = rule_files(config.rules)
    ignore = default_ignore_path(config)
    return files + ([ignore] if ignore else []) + [p for p in config.rules if p.is_dir()]


def audit_and_report(config: Config, args: argparse.Namespace) -> None:
    from audit.outputs import write_outputs

    started = time.perf_counter()
    result = run_audit(config, crawl_id=args.crawl, model=args.model, jobs=args.jobs)
    # By default the report a person reads while editing rules: each format costs time per save.
    formats = [f.strip() for f in ",".join(getattr(args, "format", []) or ["html"]).split(",") if f.strip()]
    written = write_outputs(config.store, args.output, formats, run_id=result.run_id)
    sev = result.totals.get("severity", {})
    kept = result.reaudit
    reused = (f", {kept.audited} of {kept.audited + kept.kept} documents audited again"
              if kept is not None and kept.kept else "")
    print(f"run {result.run_id}: {sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, "
          f"{sev.get('info', 0)} info; re-audited and reported in {time.perf_counter() - started:.1f}s "
          f"(audit {result.seconds:.1f}s{reused}) -> {', '.join(map(str, written.values()))}", flush=True)


def watch(config: Config, args: argparse.Namespace, interval: float = 0.3) -> int:
    """Audit now, then again after every change to a rule file, until interrupted."""
    last = None
    print(f"watching {', '.join(str(p) for p in config.rules)} (Ctrl-C to stop)", file=sys.stderr)
    try:
        while True:
            stamp = _stamp(_watched(config))
            if stamp != last:
                last = stamp
                try:
                    audit_and_report(config, args)
                except TouchauditError as exc:
                    print(str(exc), file=sys.stderr, flush=True)
                    print("waiting for the rule files to be fixed…", file=sys.stderr, flush=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        return 0

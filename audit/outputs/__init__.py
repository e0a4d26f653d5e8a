"""The outputs stage: everything after findings are stored.

``write_outputs`` reads one run from the store into a ``ReportData`` and writes each requested
format from it (report.html, findings.json, findings.sarif, findings.csv); ``exit_code`` turns
the findings into the command's exit status for ``--fail-on``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from audit.errors import TouchauditError
from audit.findings import SEVERITY_RANK, Finding
from audit.outputs.model import ReportData, load_report

EXIT_OK = 0
EXIT_FINDINGS = 1
FAIL_ON = ("error", "warning", "info", "never")


class OutputError(TouchauditError, ValueError):
    """An unknown output format or --fail-on level: a usage error (the CLI exits 2)."""


def _writers() -> dict[str, tuple[str, Callable[[ReportData, Path], Path]]]:
    from audit.outputs.csv_out import write_csv
    from audit.outputs.html import write_html
    from audit.outputs.json_out import write_json
    from audit.outputs.sarif import write_sarif

    return {
        "html": ("report.html", write_html),
        "json": ("findings.json", write_json),
        "sarif": ("findings.sarif", write_sarif),
        "csv": ("findings.csv", write_csv),
    }


FORMATS: tuple[str, ...] = ("html", "json", "sarif", "csv")


def write_outputs(store_path: str | Path, out_dir: str | Path,
                  formats: Iterable[str] = ("html", "json", "sarif"),
                  run_id: int | None = None) -> dict[str, Path]:
    """Write the chosen formats of one run (the latest by default) into ``out_dir``.

    Returns ``{format: path written}``. An unknown format is an OutputError before anything is read.
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise OutputError(f"unknown output format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    data = load_report(store_path, run_id)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = _writers()
    written = {}
    for fmt in formats:
        name, write = writers[fmt]
        written[fmt] = write(data, out / name)
    return written


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    """1 when a finding that is not ignored (nor fixed) is at or above ``fail_on``, else 0."""
    if fail_on not in FAIL_ON:
        raise OutputError(f"--fail-on must be one of {', '.join(FAIL_ON)}; got {fail_on!r}")
    if fail_on == "never":
        return EXIT_OK
    floor = SEVERITY_RANK[fail_on]
    for f in findings:
        if f.status not in ("ignored", "fixed") and SEVERITY_RANK.get(f.severity, 0) >= floor:
            return EXIT_FINDINGS
    return EXIT_OK


__all__ = ["FAIL_ON", "FORMATS", "OutputError", "ReportData", "exit_code", "load_report", "write_outputs"]

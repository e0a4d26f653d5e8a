"""`touchaudit rules check` on big and hostile rule files: wall time and peak memory per tree.

Writes, in a temporary folder, a rule file of --megabytes MB (term rules, as a real brand list
grows), an alias bomb (nine levels of nine aliases) and a file nested 5,000 levels deep, then runs
``touchaudit rules check`` on each in a subprocess per tree (this one, and ``--against REV``),
printing seconds, peak RSS and how it ended. A check still running after --timeout seconds is
stopped and said so (the alias bomb, before the YAML reader checked its limits, grew past 1 GB).

    python benchmarks/rules_check.py                          # 10 MB
    python benchmarks/rules_check.py --against HEAD~8 --timeout 60

Trees before f9ca941 read YAML with ruamel.yaml: ``pip install ruamel.yaml`` to measure them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paired import peak_rss_mb, trees  # noqa: E402 - benchmarks/ is the script's folder

RULE = ("  - id: term-{n}\n    kind: term\n    description: The product name number {n} is written one "
        "way everywhere we speak of it.\n    preferred: Product{n}\n    variants: [Product {n}, "
        "Product-{n}]\n    severity: warning\n")


def write_files(folder: Path, megabytes: float) -> dict[str, Path]:
    big = folder / "big.yaml"
    count = int(megabytes * 1_000_000) // len(RULE.format(n=10_000)) + 1
    big.write_text("rules:\n" + "".join(RULE.format(n=n) for n in range(count)))
    bomb = folder / "bomb.yaml"
    levels = "abcdefghi"
    bomb.write_text("".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9 if p else ['x'] * 9)}]\n"
                            for p, n in zip([None, *levels[:-1]], levels, strict=True)) + "rules: *i\n")
    deep = folder / "deep.yaml"
    deep.write_text("rules: " + "[" * 5_000 + "]" * 5_000 + "\n")
    return {f"{megabytes:g} MB of rules": big, "alias bomb": bomb, "5,000 levels deep": deep}


def check(repo: Path, path: Path, timeout: float) -> tuple[float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "audit.cli", "rules", "check", "--config",
                             str(path.parent / "none.yaml"), str(path)], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
        if time.perf_counter() - started > timeout:
            proc.kill()
            proc.wait()
            return time.perf_counter() - started, peak, f"still running after {timeout:g}s: stopped"
        time.sleep(0.05)
    out, err = proc.communicate()
    said = (out.strip() or err.strip()).splitlines()
    first = said[0] if said else ""
    return time.perf_counter() - started, peak, f"exit {proc.returncode}: {first[:110]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--against", help="another commit to measure in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), args.megabytes)
        with trees(Path(tmp), args.against) as measured:
            for label, repo in measured:
                print(f"{label}:")
                for name, path in files.items():
                    seconds, peak, end = check(repo, path, args.timeout)
                    print(f"  {name:<20} {seconds:7.1f} s  peak {peak:7.0f} MB  {end}")


if __name__ == "__main__":
    main()

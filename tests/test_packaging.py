"""A non-editable install works: the wheel carries templates, rules and the demo, and runs.

The wheel is installed without dependencies into a folder of its own and run from elsewhere, so
nothing is read from the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_runs_the_demo_outside_the_source_tree(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("touchaudit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("templates/report.html.j2", "rules/brand.yaml", "rules/touchaudit-rules.schema.json",
                   "audit/demo/site/index.html", "crawler/settings.py"):
        assert needed in names, f"{needed} is not in the wheel"
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "touchaudit = audit.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-m", "audit.cli", "demo", "-o", str(work / "out")],
                            cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((work / "out" / "findings.json").read_text())
    assert report["findings"]
    assert (work / "out" / "report.html").stat().st_size > 10_000
    probe = subprocess.run([sys.executable, "-c", "import audit, templates; print(audit.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.startswith(str(target))

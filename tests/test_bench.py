"""The benchmark script runs and prints every figure with its target (its timings are not asserted: speed
claims live in the benchmark's output and the README, never in tests)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT
from peers import STORESCP, STORESCU, require


def test_bench_quick_mode_prints_every_figure_and_ratio() -> None:
    require(STORESCP, "dcmtk")  # the probe figures run DCMTK's storescp and storescu
    require(STORESCU, "dcmtk")
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick"], capture_output=True,
                            text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("confgen benchmark: Python ")
    labels = [re.split(r"\s{2,}", line)[0] for line in lines[1:]]
    assert labels == [
        'floor: python -c "import yaml"',
        *(f"{name}: {what}" for name in ("example", "large", "every table") for what in (
            "yamllint", "validate", "build --to html", "build (HTML and PDF)", "weasyprint command alone")),
        "every table: validate, against the example",
        "3 profiles, 3 commands", "3 profiles, one command", "3 unchanged profiles again",
        "probe scp: storescp, every probe", "probe scu: storescu, every row",
    ]
    verdicts = [line for line in lines if "target" in line]
    assert len(verdicts) == 14
    # The two targets of issue 12, side by side with what they are measured against.
    assert re.search(r"^example: validate .* x yamllint \(target <= 1\.0\)", result.stdout, re.MULTILINE)
    assert re.search(r"^every table: build --to html .* x validate \(target <= 2\.0\)", result.stdout, re.MULTILINE)
    assert all(re.search(r"\d+\.\d\d (x .+|s )\(target [<>]= [\d.]+\): (met|MISSED)$", line) for line in verdicts)

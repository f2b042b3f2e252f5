"""benchmarks/run.py runs to the end and reports every benchmark; its timings are never checked.

It creates and drops a database of its own on the tests' server, so it needs no test database.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ("queries", "switching", "requests", "migrate")


def test_quick_benchmarks_print_one_ratio_line_per_benchmark():
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),  # DATABASE_URL too, when set: the same server as the other tests
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    for label in BENCHMARKS:
        ratio_lines = re.findall(rf"^{label} .* \d+\.\d\dx ", result.stdout, re.MULTILINE)
        assert len(ratio_lines) == 1, f"no single ratio line for {label!r}:\n{result.stdout}"

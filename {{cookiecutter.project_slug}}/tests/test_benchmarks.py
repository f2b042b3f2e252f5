"""benchmarks/run.py runs to the end and reports every benchmark; its timings are never checked.

Round trips are checked: they are counts, not timings, and they are the point of the backend
(one statement per query, one extra SET only when the tenant changes).
It creates and drops a database of its own on the tests' server, so it needs no test database.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# A request of a logged-in member: its session, its user and the page's projects.
ROUND_TRIPS = {"queries": "1.00 / 1.00", "switching": "2.00 / 1.00", "requests": "3.00 / 3.00"}


def test_quick_benchmarks_report_every_ratio_and_the_expected_round_trips():
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),  # DATABASE_URL too, when set: the same server as the other tests
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    for label in ("queries", "switching", "requests", "migrate"):
        lines = re.findall(rf"^{label} .* \d+\.\d\dx +(.+)$", result.stdout, re.MULTILINE)
        assert len(lines) == 1, f"no single ratio line for {label!r}:\n{result.stdout}"
        if label in ROUND_TRIPS:
            assert lines[0].strip() == ROUND_TRIPS[label], result.stdout

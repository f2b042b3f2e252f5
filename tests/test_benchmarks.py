"""benchmarks/run.py bakes the template, measures every row and prints it; no timing is checked.

Statement counts are checked where they are the point: a query or a request, within one tenant or
alternating between tenants, costs plain Django's single statement (plus, for requests, the host map's check for routing
changes: one statement per process every half second at most).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "migrateschema, nothing to do",
    "migrateschema applying one new migration",
    "create one tenant + domain, spare schema",
    "create one tenant + domain, no spare left",
    "createtenants N, per tenant",
    "exists() in one tenant",
    "exists(), alternating 2 tenants",
    "GET / of one tenant",
    "GET / round-robin over 2 tenants",
)
# Within one tenant and when switching tenants: the path travels with the first statement.
ONE_STATEMENT = (
    "exists() in one tenant",
    "exists(), alternating 2 tenants",
    "GET / of one tenant",
    "GET / round-robin over 2 tenants",
)


def test_quick_benchmarks_report_every_row_and_plain_round_trips_within_a_tenant():
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick"],
        cwd=ROOT,
        env=dict(os.environ),  # DATABASE_URL too, when set: the benchmarks then run there
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout + result.stderr[-6000:]
    for row in ROWS:
        lines = [line for line in result.stdout.splitlines() if line.startswith(row)]
        assert len(lines) == 1, f"no single line for {row!r}:\n{result.stdout}"
        assert re.search(r"\d+(\.\d+)? (us|ms|s) ", lines[0]), lines[0]
        if row in ONE_STATEMENT:
            ours, plain = re.search(r"(\d+\.\d\d) / (\d+\.\d\d)$", lines[0].rstrip()).groups()
            assert plain == "1.00" and 1.0 <= float(ours) <= 1.1, lines[0]

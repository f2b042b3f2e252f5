"""benchmarks/run.py bakes the template, measures every row and prints it; no timing is checked.

Statement counts are checked where they are the point: a query, a member's page or an API request
with a key (its lookup included), within one tenant or alternating between tenants, sends as many
statements as plain Django (plus, for
requests, the host map's check for routing changes: one per process every half second at most).
"""

import importlib.util
import os
import re
import subprocess
import sys

import environ
from harness import ROOT


def run_benchmarks(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "benchmarks/run.py", *arguments],
        cwd=ROOT,
        env=dict(os.environ),  # DATABASE_URL too, when set: the benchmarks then run there
        capture_output=True,
        text=True,
        timeout=900,
    )


ROWS = (
    "migrateschema, nothing to do",
    "migrateschema applying one new migration",
    "create one tenant + domain, spare schema",
    "create one tenant + domain, no spare left",
    "create tenants one by one, pool of 5",
    "createtenants N, per tenant",
    "exists() in one tenant",
    "exists(), alternating 2 tenants",
    "GET / of one tenant",
    "GET / round-robin over 2 tenants",
    "GET /api/v1/projects/, a key, one tenant",
    "GET /api/v1/projects/, keys, 2 tenants",
)
# Within one tenant and when switching tenants: the path travels with the first statement.
PLAIN_STATEMENT_COUNT = (
    "exists() in one tenant",
    "exists(), alternating 2 tenants",
    "GET / of one tenant",
    "GET / round-robin over 2 tenants",
    "GET /api/v1/projects/, a key, one tenant",
    "GET /api/v1/projects/, keys, 2 tenants",
)


def test_quick_benchmarks_report_every_row_and_plain_round_trips():
    result = run_benchmarks("--quick")

    assert result.returncode == 0, result.stdout + result.stderr[-6000:]
    for row in ROWS:
        lines = [line for line in result.stdout.splitlines() if line.startswith(row)]
        assert len(lines) == 1, f"no single line for {row!r}:\n{result.stdout}"
        assert re.search(r"\d+(\.\d+)? (us|ms|s) ", lines[0]), lines[0]
        if row in PLAIN_STATEMENT_COUNT:
            ours, plain = re.search(r"(\d+\.\d\d) / (\d+\.\d\d)$", lines[0].rstrip()).groups()
            assert float(plain) <= float(ours) <= float(plain) + 0.1, lines[0]


ROUTING_FIGURES = (
    "check_ms",
    "former_check_ms",
    "former_reload_s",
    "former_map_mb",
    "compact_map_every_host_s",
    "compact_map_every_host_mb",
    "first_lookup_ms",
    "new_domain_served_s",
    "deleted_domain_refused_s",
    "p50_ms",
    "p99_ms",
)


def test_routing_mode_fills_public_and_reports_every_figure():
    result = run_benchmarks("--routing", "30")

    assert result.returncode == 0, result.stdout + result.stderr[-6000:]
    assert "Routing at 30 tenants" in result.stdout and "tenants: 30\n" in result.stdout
    for figure in ROUTING_FIGURES:
        assert re.search(rf"^  {figure}: [\d.e+-]+$", result.stdout, re.MULTILINE), figure


def test_against_mode_measures_this_tree_and_an_earlier_bake_side_by_side():
    """Against the same revision both bakes send the same statements for the same page (give or
    take the routing change check, at most once per process every half second)."""
    result = run_benchmarks("--quick", "--against", "HEAD")

    assert result.returncode == 0, result.stdout + result.stderr[-6000:]
    assert "At 3 tenants, against HEAD" in result.stdout
    for row in PLAIN_STATEMENT_COUNT[2:]:
        lines = [line for line in result.stdout.splitlines() if line.startswith(row)]
        assert len(lines) == 1, f"no single line for {row!r}:\n{result.stdout}"
        ours, earlier = re.search(r"(\d+\.\d\d) / (\d+\.\d\d)$", lines[0].rstrip()).groups()
        assert abs(float(ours) - float(earlier)) <= 0.1, lines[0]  # a routing check or not


def load_run_module():
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_database_url_reads_back_as_the_same_server_socket_folder_or_host():
    """Against mode hands the earlier bake this server as a DATABASE_URL: django-environ must read
    back the same server, including the embedded server's socket folder (a path, not a name)."""
    database_url = load_run_module().database_url
    servers = (
        {"HOST": "/tmp/pgschemas bench/my_saas/.pgdata", "PORT": 5432, "USER": "postgres"},
        {"HOST": "db.example.com", "PORT": 6543, "USER": "app", "PASSWORD": "p@ss/word"},
    )
    for server in servers:
        server = {**server, "NAME": "pgschemas_bench_1"}
        parsed = environ.Env.db_url_config(database_url(server))
        assert {key: parsed[key] for key in server} == server, database_url(server)

"""This project's tenancy layer against plain single-schema Django, as ratios from one run.

    python benchmarks/run.py [--quick]        (from the project root)

Uses the database server of the project's test settings: DATABASE_URL's, or the embedded one. It
creates a database of its own there and makes tenants in it with the project's own code. Then two
worker processes run the same workloads on the same tables, taking turns run by run: one with the
project's settings (pgschemas), one with plain Django (benchmarks/plain_settings.py: Django's
PostgreSQL engine with a tenant's schema on the search_path from the start, no tenancy middleware
or router). The database is dropped at the end, also when something failed. Information only:
nothing asserts these numbers."""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, closing, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from subprocess import PIPE
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "worker.py"
WORKER_TIMEOUT_SECONDS = 600  # for one answer of a worker
# Keys of Django's OPTIONS that are not connection parameters of the driver.
DJANGO_ONLY_OPTIONS = frozenset({"isolation_level", "server_side_binding", "assume_role", "pool"})


@dataclass(frozen=True)
class Sizes:
    tenants: int  # migrated by the migrate benchmark; the first two serve the others
    projects: int  # rows per tenant
    queries: int  # per run of each ORM benchmark
    requests: int  # per run of the requests benchmark
    repeats: int  # timed runs of each benchmark and side, after a warm-up run; the best counts


DEFAULT = Sizes(tenants=10, projects=20, queries=1000, requests=300, repeats=7)
QUICK = Sizes(tenants=3, projects=20, queries=200, requests=50, repeats=3)
SIDES = ("pgschemas", "plain")

# (label, what one unit of the benchmark is); the label is also the worker's key.
ROWS = (
    ("queries", "exists() in one tenant"),
    ("switching", "exists(), alternating between 2 tenants"),
    ("requests", "GET / of a tenant through all middleware"),
    ("migrate", "migrate with nothing to apply, per schema"),
)


class BenchmarkError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tenants, queries and runs")
    sizes = QUICK if parser.parse_args(argv).quick else DEFAULT
    # SIGTERM (a CI timeout) exits through the `finally` that drops the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    server = project_database()  # keeps the embedded server up until this process exits
    name = f"pgschemas_bench_{os.getpid()}_{secrets.token_hex(3)}"
    schemas = [f"bench{number}" for number in range(sizes.tenants)]
    env = {
        **os.environ,
        "BENCH_DATABASE_NAME": name,
        "BENCH_SCHEMA": schemas[0],
        "BENCH_OTHER_SCHEMA": schemas[1],
    }
    version = create_database(server, name)
    try:
        with Worker("setup", {"schemas": schemas, "projects": sizes.projects}, env) as setup:
            hosts = setup.greeting["hosts"]
        parameters = {**asdict(sizes), "schemas": schemas, "hosts": hosts}
        results = measure(sizes, parameters, env)
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        drop_database(server, name)
    where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded server"
    print(f"PostgreSQL {version} ({where}), best of {sizes.repeats} runs per benchmark and side")
    print(table(results["pgschemas"], results["plain"]))
    print(f"({time.perf_counter() - started:.1f} s in all)")
    return 0


def project_database() -> dict[str, Any]:
    """DATABASES["default"] of the project's test settings, starting the embedded server if
    that is the one they use (it stops when the last process using it exits)."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from config.settings import test

    return test.DATABASES["default"]


def admin_connection(database: dict[str, Any]) -> Any:
    import psycopg2

    parameters = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
    }
    options = database.get("OPTIONS", {})
    connection = psycopg2.connect(
        **{key: value for key, value in parameters.items() if value not in (None, "")},
        **{key: value for key, value in options.items() if key not in DJANGO_ONLY_OPTIONS},
    )
    connection.autocommit = True
    return connection


def create_database(server: dict[str, Any], name: str) -> str:
    """Create the benchmark database; return the server's version."""
    from psycopg2 import sql

    with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def drop_database(server: dict[str, Any], name: str) -> None:
    from psycopg2 import sql

    with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
        statement = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
        cursor.execute(sql.SQL(statement).format(sql.Identifier(name)))


class Worker:
    """A worker.py process for one side; `run` has it run one benchmark once and waits."""

    def __init__(self, side: str, parameters: dict[str, Any], env: dict[str, str]) -> None:
        self.side = side
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a file: a full pipe could block it
        self._process = subprocess.Popen(
            [sys.executable, str(WORKER), side, json.dumps(parameters)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=PIPE,
            stdout=PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.greeting = self._answer()  # the hosts from "setup", {"ready": true} from the others

    def run(self, benchmark: str, *, count: bool = False) -> dict[str, float]:
        try:
            self._process.stdin.write(json.dumps({"benchmark": benchmark, "count": count}) + "\n")
            self._process.stdin.flush()
        except OSError:
            pass  # it has exited: _answer says why
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        watchdog = threading.Timer(WORKER_TIMEOUT_SECONDS, self._process.terminate)
        watchdog.start()
        try:
            line = self._process.stdout.readline()
        finally:
            watchdog.cancel()
        if not line:
            self._process.wait()
            self._stderr.seek(0)
            raise BenchmarkError(
                f"The {self.side} worker stopped (exit code {self._process.returncode}):\n"
                f"{self._stderr.read()[-6000:]}"
            )
        return json.loads(line)

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Let the worker exit by itself at the end of its input, leaving the embedded server as
        it goes; stop it (it exits cleanly on SIGTERM too) if it takes long."""
        with suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()
        self._stderr.close()


def measure(sizes: Sizes, parameters: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """Per side and benchmark: the best time of `sizes.repeats` runs, and the round trips.

    Both sides stay up and take turns run by run, each waiting while the other works, so that
    the machine getting busier or quieter during the benchmarks favours neither of them.
    """
    results: dict[str, dict[str, Any]] = {side: {} for side in SIDES}
    with ExitStack() as stack:
        workers = [stack.enter_context(Worker(side, parameters, env)) for side in SIDES]
        for label, _ in ROWS:
            for worker in workers:
                worker.run(label)  # warm-up: connections, caches, imports
            times: dict[str, list[float]] = {side: [] for side in SIDES}
            for repeat in range(sizes.repeats):
                for worker in workers if repeat % 2 == 0 else workers[::-1]:
                    times[worker.side].append(worker.run(label)["seconds"])
            for worker in workers:
                results[worker.side][label] = {
                    "seconds": min(times[worker.side]),
                    "round_trips": worker.run(label, count=True)["round_trips"],
                }
    return results


def table(pgschemas: dict[str, Any], plain: dict[str, Any]) -> str:
    """One line per benchmark: time per unit on each side, their ratio, and round trips."""
    header = ("benchmark", "unit", "pgschemas", "plain", "ratio", "round trips")
    lines = ["{:<10} {:<42} {:>10} {:>10} {:>7}  {}".format(*header)]
    for label, unit in ROWS:
        ours, theirs = pgschemas[label], plain[label]
        ratio = ours["seconds"] / theirs["seconds"]
        lines.append(
            f"{label:<10} {unit:<42} {duration(ours['seconds']):>10} "
            f"{duration(theirs['seconds']):>10} {ratio:>6.2f}x"
            f"  {ours['round_trips']:.2f} / {theirs['round_trips']:.2f}"
        )
    lines += [
        "Per unit (a query, a request, a migrated schema); ratio = pgschemas / plain Django, "
        "1.00x = no overhead.",
        "Round trips: statements sent to the server per unit, pgschemas / plain (SET search_path "
        "included).",
    ]
    return "\n".join(lines)


def duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


if __name__ == "__main__":
    sys.exit(main())

"""Fixtures shared by the template tests that run a baked project against real services."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from harness import Bakes, PostgresServer, answers, free_port, stop, wait_until

# Fast tests first, so that a broken hook or lint fails in seconds; then by growing cost.
ORDER = (
    "test_hooks.py",
    "test_lint.py",
    "test_deployment_files.py",
    "test_tooling.py",
    "test_random_answers.py",
    "test_bake.py",
    "test_updates.py",
    "test_run_command.py",
    "test_benchmarks.py",
    "test_pgbouncer.py",
    "test_production.py",
    "test_django_suite.py",
    "test_newest_django.py",
    "test_citus.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)  # stable: the order within a module stays


@pytest.fixture(scope="session")
def bakes() -> Iterator[Bakes]:
    """The template baked once per answer set and test session (``bakes.get("defaults")``)."""
    with tempfile.TemporaryDirectory(prefix="template-bakes-") as folder:
        yield Bakes(Path(folder))


@pytest.fixture(scope="session")
def default_bake(bakes) -> Path:
    """The template baked with its default answers, once per run."""
    return bakes.get("defaults")


@pytest.fixture(scope="session")
def postgres_server(default_bake) -> Iterator[PostgresServer]:
    """DATABASE_URL's server, else 127.0.0.1:5432 when it answers, else the embedded server.

    Tests create databases of their own there, named after themselves.
    """
    if os.environ.get("DATABASE_URL"):
        url = urlsplit(os.environ["DATABASE_URL"])
        yield PostgresServer(
            url.hostname or "127.0.0.1", url.port or 5432, url.username or "", url.password or ""
        )
    elif answers("127.0.0.1", 5432):
        yield PostgresServer("127.0.0.1", 5432, "postgres", "")
    else:
        holder = subprocess.Popen(  # keeps the bake's embedded server up until stdin closes
            [
                sys.executable,
                "-c",
                "import json, sys; from pathlib import Path; "
                "from devtools.devdb import embedded_database; "
                "print('SERVER', json.dumps(embedded_database(Path('.pgdata'))), flush=True); "
                "sys.stdin.read()",
            ],
            cwd=default_bake,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = ""
            while not line.startswith("SERVER "):  # after anything the start-up printed
                line = holder.stdout.readline()
                assert line, "the embedded server did not start"
            settings = json.loads(line.removeprefix("SERVER "))
            yield PostgresServer(settings["HOST"], int(settings["PORT"]), settings["USER"], "")
        finally:
            holder.stdin.close()
            holder.wait(60)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A redis-server of these tests on a free port (production needs one for its cache)."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is missing: apt-get install redis-server (see .ci/run)"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: answers("127.0.0.1", port), "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)

"""Run the project's own commands as separate processes on the test database."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def process_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.subprocess_settings",
        "PGSCHEMAS_TEST_DATABASE": connection.settings_dict["NAME"],
    }


def manage(*argv: str, **popen: object) -> subprocess.Popen[str]:
    """Start ``python manage.py *argv`` in a new session (so it can be killed as a group)."""
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(
        [sys.executable, "manage.py", *argv],
        cwd=PROJECT_ROOT,
        env=process_env(),
        text=True,
        start_new_session=True,
        **options,  # type: ignore[arg-type]
    )


def run_manage(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    process = manage(*argv)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


SERVE = """
from wsgiref.simple_server import WSGIRequestHandler, make_server

from config.wsgi import application


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


@contextmanager
def web_processes(count: int) -> Iterator[list[str]]:
    """``count`` separate server processes of the project (like web workers, each with its own
    memory), on free ports of 127.0.0.1; yields their base URLs and stops them afterwards."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SERVE],
            cwd=PROJECT_ROOT,
            env=process_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        yield [f"http://127.0.0.1:{process.stdout.readline().strip()}" for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            stop(process)
            process.stdout.close()


def stop(process: subprocess.Popen[str]) -> None:
    """Wait for a terminated process; kill it if it lingers. A SIGTERM that lands while wsgiref
    serves a request turns into a SystemExit that its catch-all handler swallows."""
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def oidc_provider(config: dict[str, object], directory: Path) -> Iterator[str]:
    """The tests' OpenID Connect identity provider (tests/identity_provider: a separate Django
    project with django-oauth-toolkit) as a separate process on a free loopback port, with
    ``config`` (its clients and users) and its own SQLite database in ``directory``; yields its
    issuer URL."""
    path = directory / "identity-provider.json"
    path.write_text(json.dumps(config))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.identity_provider.settings",
        "IDENTITY_PROVIDER_DATABASE": str(directory / "identity-provider.sqlite3"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.identity_provider", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        issuer = process.stdout.readline().strip()  # type: ignore[union-attr]
        if not issuer:
            raise RuntimeError("The identity provider did not start: its error is above.")
        yield issuer
    finally:
        process.terminate()
        stop(process)
        process.stdout.close()  # type: ignore[union-attr]

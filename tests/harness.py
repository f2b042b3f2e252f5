"""What the template tests share: baking the template, running a baked project's commands and
servers, HTTP requests with a Host header, the production environment, the PostgreSQL server."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
# Answer sets baked once per test session; "defaults" serves every test that needs a plain bake.
OPTION_SETS: dict[str, dict[str, str]] = {
    "defaults": {},
    "everything_off": {
        "include_blog": "n",
        "include_billing": "n",
        "include_api": "n",
        "project_name": "Plain SaaS",
    },
    "custom": {
        "project_name": "Acme Cloud",
        "project_slug": "acme_cloud",
        "description": "Invoices for plumbers",
        "author_name": "Ada Lovelace",
        "domain_name": "acme-cloud.io",
        "timezone": "Europe/Berlin",
    },
}
# Production needs a secret key: one for every process of a test, so sessions made by one are
# read by another.
SECRET_KEY = "template-tests-only-" + "k" * 50


def bake(output_dir: Path, *, template: Path = ROOT, **answers: str) -> Path:
    """``template`` (this one) baked into ``output_dir`` with ``answers`` (the defaults for the
    rest)."""
    return Path(
        cookiecutter(str(template), no_input=True, extra_context=answers, output_dir=output_dir)
    )


class Bakes:
    """One bake per answer set per test session, in ``folder``: outside pytest's temporary
    folders, which every pytest run on the machine prunes and makes private to its user while
    the embedded PostgreSQL runs as another user."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, Path] = {}

    def get(self, name: str) -> Path:
        if name not in self.made:
            self.made[name] = bake(self.folder / name, **OPTION_SETS[name])
        return self.made[name]


def project_env(**overrides: str) -> dict[str, str]:
    """This environment with the test settings and without DATABASE_URL (the embedded server)."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env.update(overrides)
    return env


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The production settings with what they require: a database, a secret key, Redis (a
    closed port unless ``REDIS_URL`` is given: pages that use neither cache nor tasks), mail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:1/0",
        MAILGUN_API_KEY="not-used-by-these-tests",
    )
    env.update(extra)
    return env


def run_in(
    project: Path, *command: str, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """``python *command`` in the baked project, with this interpreter."""
    return subprocess.run(
        [sys.executable, *command],
        cwd=project,
        env=env or project_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_suite_passes(
    project: Path, env: dict[str, str], context: str = "", junit_report: Path | None = None
) -> str:
    """Run the baked project's own suite; fail on any failure or skip; return its summary line."""
    report = [f"--junitxml={junit_report}"] if junit_report else []
    # Tests marked citus need a Citus cluster: tests/test_citus.py runs them.
    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not citus", *report)
    # Its temporary folders outside /tmp/pytest-of-<user>, which every pytest run on the machine
    # prunes and chmods 0700 (the embedded server runs as another user).
    with tempfile.TemporaryDirectory(prefix="baked-suite-") as basetemp:
        result = run_in(project, *pytest_args, f"--basetemp={basetemp}/t", env=env)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, context + result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, context + summary
    return summary


def manage(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_in(project, "manage.py", *args, env=env, timeout=300)


def wait_until(
    ready: Callable[[], object],
    what: str,
    process: subprocess.Popen[Any] | None = None,
    timeout: float = 60,
) -> None:
    """Poll ``ready`` until it is true; fail, naming ``what``, at the deadline or when
    ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what} exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up within {timeout} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[Any], how: int = signal.SIGTERM) -> None:
    process.send_signal(how)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def served(
    command: list[str],
    port: int,
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    what: str,
    how: int = signal.SIGTERM,
) -> Iterator[int]:
    """Run a server (``command`` listens on 127.0.0.1:``port``) until the block ends; its
    output goes to ``log``."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until(lambda: answers("127.0.0.1", port), what, process)
            yield port
        finally:
            stop(process, how)


def http_get(port: int, host: str, path: str = "/", **headers: str) -> tuple[int, dict, bytes]:
    """GET ``path`` from 127.0.0.1:``port`` as ``host``: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class PostgresServer:
    host: str  # a name, an address or a socket folder
    port: int
    user: str
    password: str

    def connect(self, dbname: str):
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=dbname
        )

    def url(self, dbname: str) -> str:
        password = f":{quote(self.password, safe='')}" if self.password else ""
        credentials = f"{quote(self.user, safe='')}{password}"
        if self.host.startswith("/"):  # a socket folder goes in the path (django-environ)
            return f"postgres://{credentials}@:{self.port}/{quote(self.host)}/{dbname}"
        return f"postgres://{credentials}@{self.host}:{self.port}/{dbname}"


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 2).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Every page of a customer's workspace needs a logged-in member. Run in the baked project's
# ``manage.py shell``: a member logged in on each tenant, its session cookie printed as JSON.
LOG_IN_MEMBERS = """
import json
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from shared_app.models import Client
cookies = {{}}
for tenant in Client.objects.filter(schema_name__in={names!r}):
    with tenant:
        http = HttpClient()
        http.force_login(get_user_model().objects.create_user(f"member@{{tenant.schema_name}}.test"))
        cookies[tenant.schema_name] = "sessionid=" + http.cookies["sessionid"].value
print(json.dumps(cookies))
"""


def log_in_members_code(tenants: Iterable[str]) -> str:
    """Code for ``manage.py shell -c``; give its output to ``member_cookies``."""
    return LOG_IN_MEMBERS.format(names=sorted(tenants))


def member_cookies(shell_output: str) -> dict[str, str]:
    """Each tenant's ``Cookie`` header value, from the output of ``log_in_members_code``."""
    return json.loads(shell_output.strip().splitlines()[-1])

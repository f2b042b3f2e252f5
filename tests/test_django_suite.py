"""Django's own test suite for the database layer, run with ``pgschemas.postgresql_backend``.

The source distribution of the installed Django comes from PyPI (pip) and is kept in
~/.cache/pgschemas-django-suite/<version>/; its tests/runtests.py runs the modules below against
the server the other tests use, in the public schema, with a thin settings module of ours
(tests/django_suite/pgschemas_settings.py). No test is excluded: the backend must behave like
Django's own: 0 failures. On a server where Django's own backend fails some of these tests
(the embedded one: PostgreSQL 18 built without ICU), ``inspectdb`` and ``postgres_tests`` are
left out (their models need the ICU collation sv-x-icu) and the suite runs with both backends:
the same tests must fail with both.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import django
from harness import PostgresServer

SETTINGS_DIR = Path(__file__).resolve().parent / "django_suite"
MODULES = (
    "backends",
    "transactions",
    "schema",
    "migrations",
    "queries",
    "introspection",
    "inspectdb",
    "postgres_tests",
)
NEED_ICU = ("inspectdb", "postgres_tests")  # their models use the collation sv-x-icu
OUR_ENGINE = "pgschemas.postgresql_backend"
DJANGO_ENGINE = "django.db.backends.postgresql"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pgschemas-django-suite"


def django_source(version: str) -> Path:
    """Django's source tree of ``version``, downloaded once with pip and kept in CACHE."""
    folder = CACHE / version
    source = folder / f"django-{version}"
    if (source / "tests" / "runtests.py").exists():
        return source
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--disable-pip-version-check",
            "--dest",
            str(folder),
            f"django=={version}",
        ],
        check=True,
        timeout=600,
    )
    with tempfile.TemporaryDirectory(dir=folder) as scratch:  # a whole tree or none
        with tarfile.open(folder / f"django-{version}.tar.gz") as archive:
            archive.extractall(scratch, filter="data")
        Path(scratch, f"django-{version}").rename(source)
    return source


def is_complete(server: PostgresServer) -> bool:
    """Whether Django's own backend passes its suite there: a server it supports, with ICU.

    Django's PostgreSQL test models use the ICU collation sv-x-icu; the embedded server is built
    without ICU, and is PostgreSQL 18, whose named NOT NULL constraints some tests of Django 5.2
    do not expect.
    """
    with closing(server.connect("postgres")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM pg_collation WHERE collname = 'sv-x-icu')")
        has_icu = cursor.fetchone()[0]
        supported = connection.server_version < 180000
    return has_icu and supported


@dataclass
class SuiteRun:
    engine: str
    returncode: int
    output: str
    seconds: float

    def line(self, pattern: str) -> str | None:
        match = re.search(pattern, self.output, re.MULTILINE)
        return match.group(1) if match else None

    @property
    def ran(self) -> str | None:
        return self.line(r"^Ran (\d+) tests?")

    @property
    def found(self) -> str | None:
        return self.line(r"^Found (\d+) test")

    @property
    def problems(self) -> set[str]:
        """The tests that failed or raised, as ``module.Class.test``."""
        return set(re.findall(r"^(?:FAIL|ERROR): \S+ \((\S+)\)", self.output, re.MULTILINE))

    def report(self) -> str:
        return (
            f"{self.engine}: {self.ran} tests, "
            f"{self.line(r'^((?:OK|FAILED).*)$')}, {self.seconds:.0f} s"
        )


def run_suite(
    tests: Path, server: PostgresServer, project: Path, engine: str, modules: tuple[str, ...]
) -> SuiteRun:
    database = {
        "ENGINE": engine,
        "HOST": server.host,
        "PORT": server.port,
        "USER": server.user,
        "PASSWORD": server.password,
        "NAME": f"pgschemas_suite_{secrets.token_hex(4)}",  # runtests.py creates test_<NAME>
    }
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(SETTINGS_DIR), str(project)])
    env["PGSCHEMAS_SUITE_DATABASE"] = json.dumps(database)
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "runtests.py",
            "--settings=pgschemas_settings",
            "--parallel",
            "2",
            "--noinput",
            *modules,
        ],
        cwd=tests,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    output = result.stdout + result.stderr
    return SuiteRun(engine, result.returncode, output, time.monotonic() - started)


def test_djangos_own_suite_passes_with_our_backend(default_bake, postgres_server):
    tests = django_source(django.get_version()) / "tests"
    complete = is_complete(postgres_server)
    modules = MODULES if complete else tuple(m for m in MODULES if m not in NEED_ICU)
    ours = run_suite(tests, postgres_server, default_bake, OUR_ENGINE, modules)
    print(f"\nDjango {django.get_version()}'s suite ({', '.join(modules)}):\n  {ours.report()}")
    assert ours.ran and ours.ran == ours.found, ours.output[-20000:]

    if complete:
        assert ours.returncode == 0, ours.output[-20000:]
    else:  # the same tests must fail with Django's own backend, for the server's reasons
        stock = run_suite(tests, postgres_server, default_bake, DJANGO_ENGINE, modules)
        print(f"  {stock.report()}\n  (a server Django's own backend fails on: compared)")
        assert ours.problems == stock.problems, ours.output[-20000:]

"""Django's own test suite for the database layer, run with ``pgschemas.postgresql_backend``.

The source distribution of the installed Django comes from PyPI (pip) and is kept in
~/.cache/pgschemas-django-suite/<version>/; its tests/runtests.py runs the modules below against
the server the other tests use, in the public schema, with a thin settings module of ours
(tests/django_suite/pgschemas_settings.py). No test is excluded: the backend must behave like
Django's own.
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
from pathlib import Path

import django

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


def test_djangos_own_suite_passes_with_our_backend(default_bake, postgres_server):
    tests = django_source(django.get_version()) / "tests"
    database = {
        "HOST": postgres_server.host,
        "PORT": postgres_server.port,
        "USER": postgres_server.user,
        "PASSWORD": postgres_server.password,
        "NAME": f"pgschemas_suite_{secrets.token_hex(4)}",  # runtests.py creates test_<NAME>
    }
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(SETTINGS_DIR), str(default_bake)])
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
            *MODULES,
        ],
        cwd=tests,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    output = result.stdout + result.stderr
    ran = re.search(r"^Ran (\d+) tests?", output, re.MULTILINE)
    summary = re.search(r"^(OK|FAILED)\b.*$", output, re.MULTILINE)
    print(
        f"\nDjango {django.get_version()}'s suite ({', '.join(MODULES)}) with "
        f"pgschemas.postgresql_backend: {ran.group(1) if ran else '?'} tests, "
        f"{summary.group(0) if summary else 'no summary'}, {time.monotonic() - started:.0f} s"
    )

    assert result.returncode == 0, output[-20000:]
    assert ran and int(ran.group(1)) >= 2500, output[-5000:]

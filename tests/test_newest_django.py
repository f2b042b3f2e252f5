"""The default bake's suite on Python 3.13 with the newest Django (uv.lock), deprecations as errors.

test_bake.py runs the suites on this interpreter (Python 3.11, Django 5.2 LTS). Here a second
environment, ./.venv-newest-django, is synced from the baked project's uv.lock (`uv sync` changes
nothing when it is up to date, so it is built once and reused).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from harness import ROOT

ENVIRONMENT = ROOT / ".venv-newest-django"
PYENV_PYTHON = os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13")


def python313() -> str:
    found = next(iter(sorted(glob.glob(PYENV_PYTHON))), None) or shutil.which("python3.13")
    assert found, "Python 3.13 is needed: `pyenv install 3.13` (or put python3.13 on PATH)"
    return found


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def project(default_bake) -> Path:
    return default_bake


def test_the_suite_passes_on_python_3_13_with_the_newest_django(project):
    # The embedded PostgreSQL, like test_bake.py's default run.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "VIRTUAL_ENV", "DATABASE_URL"))
    }
    env["UV_PROJECT_ENVIRONMENT"] = str(ENVIRONMENT)
    sync = run(
        [sys.executable, "-m", "uv", "sync", "--locked", "--extra", "dev", "--no-install-project"]
        + ["--python", python313()],
        project,
        env,
    )
    assert sync.returncode == 0, sync.stdout + sync.stderr
    python = str(ENVIRONMENT / "bin" / "python")
    versions = run(
        [python, "-c", "import sys, django; print(sys.version.split()[0], django.__version__)"],
        project,
        env,
    )
    python_version, django_version = versions.stdout.split()
    assert python_version.startswith("3.13.") and int(django_version.split(".")[0]) >= 6

    # Temporary folders outside /tmp/pytest-of-<user>, as in test_bake.py.
    with tempfile.TemporaryDirectory(prefix="baked-suite-") as basetemp:
        # Tests marked citus need a Citus cluster: tests/test_citus.py runs them.
        pytest_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not citus"]
        suite = run([*pytest_command, f"--basetemp={basetemp}/t"], project, env)

    summary = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else ""
    print(f"Python {python_version}, Django {django_version}: {summary}")
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary

"""Run the project's own commands as separate processes on the test database."""

import os
import subprocess
import sys
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
    return subprocess.Popen(
        [sys.executable, "manage.py", *argv],
        cwd=PROJECT_ROOT,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,  # type: ignore[arg-type]
    )


def run_manage(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    process = manage(*argv)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

"""What every process loads at start-up (each ``manage.py`` command, each web worker): not the
libraries that only some of its work needs."""

import subprocess
import sys

from ..processes import PROJECT_ROOT, process_env

# Celery's application: loaded when a task is sent (shared_app/archive_actions.py).
LOADED_ON_USE = ["celery.app"]
# >>> include_api
# drf-spectacular's schema generation: loaded with the API's URLconf (tenant_app/api/urls.py); its
# package itself is an installed app, loaded with its checks.
LOADED_ON_USE.append("drf_spectacular.plumbing")
# <<< include_api

# django.setup(), then the modules given as arguments, then which of LOADED_ON_USE are loaded.
LOADED = """
import importlib, sys
import django
django.setup()
for name in sys.argv[1:]:
    importlib.import_module(name)
print(" ".join(sorted(set(sys.modules) & {LOADED_ON_USE})))
"""


def loaded_on_use_after(*modules: str) -> list[str]:
    script = LOADED.replace("{LOADED_ON_USE}", repr(set(LOADED_ON_USE)))
    result = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=PROJECT_ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_starting_the_project_loads_no_library_that_only_some_of_its_work_needs():
    assert loaded_on_use_after() == []


def test_sending_a_task_loads_celery():
    assert loaded_on_use_after("shared_app.tasks") == ["celery.app"]

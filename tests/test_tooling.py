"""The team's tools in a baked project: CI workflow, pre-commit, mypy, coverage."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from harness import run_in


@pytest.fixture(scope="module")
def project(default_bake) -> Path:
    return default_bake


def run(project: Path, *command: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return run_in(project, "-m", *command, env={**environment, **env})


def steps(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_ci_workflow_runs_the_suite_on_postgresql_and_lints(project):
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    test, lint = workflow["jobs"]["test"], workflow["jobs"]["lint"]

    assert test["services"]["postgres"]["image"].startswith("postgres:")
    assert test["env"]["DATABASE_URL"].startswith("postgres://")
    assert test["strategy"]["matrix"]["python"] == ["3.11", "3.13"]
    assert "${{ matrix.python }}" in (project / ".github/workflows/ci.yml").read_text()
    assert "uv sync --locked --extra dev" in steps(test)
    assert any(step.startswith("uv run pytest") for step in steps(test))
    assert {"uv run ruff check .", "uv run ruff format --check .", "uv run mypy"} <= set(
        steps(lint)
    )


def test_pre_commit_runs_ruff_django_upgrade_and_hygiene_hooks(project):
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}

    assert {"ruff-check", "ruff-format", "django-upgrade", "trailing-whitespace"} <= set(hooks)
    assert {"end-of-file-fixer", "check-yaml", "check-toml"} <= set(hooks)
    target = hooks["django-upgrade"]["args"]
    python_files = [str(path.relative_to(project)) for path in project.rglob("*.py")]
    upgrade = run(project, "django_upgrade", *target, *python_files)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr  # nothing left to upgrade


def test_mypy_with_django_stubs_finds_no_error_in_pgschemas(project):
    # The settings are loaded (django-stubs), not connected to: no database is started.
    result = run(project, "mypy", DATABASE_URL="postgres://unused@127.0.0.1:1/unused")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_coverage_is_configured_for_the_suite(project):
    with tempfile.TemporaryDirectory(prefix="baked-suite-") as basetemp:  # as in test_bake.py
        result = run(
            project,
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={basetemp}/t",
            "tests/tenancy/test_checks.py",
            "--cov",
        )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "pgschemas/" in result.stdout  # files with lines left uncovered are listed
    assert "TOTAL" in result.stdout

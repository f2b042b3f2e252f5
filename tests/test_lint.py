"""The template tree itself is valid, lintable Python: hooks, tests, dev.py and the project."""

import subprocess
import sys

import pytest
from harness import ROOT


@pytest.mark.parametrize("folder", [".", "{{cookiecutter.project_slug}}"])
def test_ruff_check_and_format_pass_on_the_unrendered_tree(folder):
    where = ROOT / folder
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=where,
        capture_output=True,
        text=True,
    )
    formatting = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=where,
        capture_output=True,
        text=True,
    )

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr

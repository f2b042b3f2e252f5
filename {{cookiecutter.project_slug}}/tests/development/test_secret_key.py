"""devtools/secret_key.py: the local settings' key, made on first use and kept in `.env`."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import environ
import pytest

from devtools.secret_key import NAME, development_secret_key

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_key() -> Iterator[None]:
    """No DJANGO_SECRET_KEY in this process's environment, which is restored afterwards: the
    function under test sets the key and whatever else the `.env` file holds."""
    saved = dict(os.environ)
    os.environ.pop(NAME, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def keys_in(env_file: Path) -> list[str]:
    return [
        line.split("=", 1)[1]
        for line in env_file.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{NAME}=")
    ]


@pytest.mark.usefixtures("no_key")
def test_first_use_writes_a_new_key_to_the_env_file_and_returns_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"

    key = development_secret_key(env_file)

    assert keys_in(env_file) == [key]
    assert len(key) >= 50


@pytest.mark.usefixtures("no_key")
def test_later_uses_read_the_same_key_back(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    key = development_secret_key(env_file)
    del os.environ[NAME]  # a new process
    environ.Env.read_env(env_file, overwrite=False)  # what config/settings/base.py does

    assert development_secret_key(env_file) == key
    assert keys_in(env_file) == [key]


@pytest.mark.usefixtures("no_key")
def test_the_team_s_lines_in_the_env_file_stay(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://me@127.0.0.1/mine", encoding="utf-8")

    key = development_secret_key(env_file)

    lines = env_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "DATABASE_URL=postgres://me@127.0.0.1/mine"
    assert lines[-1] == f"{NAME}={key}"


@pytest.mark.usefixtures("no_key")
def test_a_key_in_the_environment_wins_and_nothing_is_written(tmp_path: Path) -> None:
    os.environ[NAME] = "from-the-environment"

    assert development_secret_key(tmp_path / ".env") == "from-the-environment"
    assert not (tmp_path / ".env").exists()


def test_processes_racing_on_first_use_all_get_the_file_s_first_key(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    code = (
        "import sys; from pathlib import Path; "
        "from devtools.secret_key import development_secret_key; "
        "print(development_secret_key(Path(sys.argv[1])))"
    )
    env = {"PATH": "/usr/bin:/bin"}  # no DJANGO_SECRET_KEY
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(env_file)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    printed = {process.communicate(timeout=60)[0].strip() for process in processes}

    assert printed == {keys_in(env_file)[0]}

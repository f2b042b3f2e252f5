"""PostgreSQL's client programs (pg_dump, pg_restore, psql), run against the default database.

They come from ``PGSCHEMAS_PG_BIN_DIR`` (the embedded server's own binaries in development and
tests) or else from ``PATH``; a pg_dump older than the server cannot dump it, so the version is
checked first, with a message naming the version needed.
"""

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from django.db import connection

from ..app_settings import pg_bin_dir
from ..exceptions import DumpError


def tool(name: str) -> str:
    """The path of the client program ``name``, at least as new as the server."""
    folder = pg_bin_dir()
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        where = f"in PGSCHEMAS_PG_BIN_DIR ({folder})" if folder else "on PATH"
        raise DumpError(
            f"{name} is not {where}: install PostgreSQL's client programs "
            f"(version {server_major()} or newer), e.g. the postgresql-client-{server_major()} "
            "package, or set PGSCHEMAS_PG_BIN_DIR to their folder."
        )
    major = _tool_major(found)
    if major < server_major():
        raise DumpError(
            f"{found} is version {major}, older than the PostgreSQL server "
            f"(version {server_major()}): install {name} {server_major()} or newer "
            f"(e.g. the postgresql-client-{server_major()} package) or set PGSCHEMAS_PG_BIN_DIR "
            "to its folder."
        )
    return found


def server_major() -> int:
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


@cache
def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"(\d+)(?:\.\d+)?", output.stdout)
    if match is None:
        raise DumpError(f"Could not read the version of {path}: {output.stdout!r}")
    return int(match.group(1))


def connection_args() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment that reach the default database as Django does."""
    connection.ensure_connection()
    params = connection.get_connection_params()
    args = ["--dbname", str(params.get("dbname") or params.get("database") or "postgres")]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args += [option, str(params[key])]
    env = {**os.environ, "PGAPPNAME": "pgschemas"}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    if params.get("sslmode"):
        env["PGSSLMODE"] = str(params["sslmode"])
    return args, env

"""The operator console's list page (www /console/) at a number of workspaces: time and queries.

    python benchmarks/console.py [--tenants 10000] [--repeats 30] [--prefix NAME]  (template root)

Bakes the template, creates a database of its own on the test settings' server (DATABASE_URL's,
or the embedded one), migrates it, and adds the workspaces as rows in public (Client, its primary
Domain and its TenantStats), without schemas: the list reads only those tables. Then requests the
list through the whole middleware stack (Django's test client, logged in as an operator): the
first page, the last page, a status filter and a search, each ``--repeats`` times, and prints the
median and worst time and the number of queries of each. The database is dropped at the end.
Information only: nothing asserts these numbers.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

from run import HERE, admin_connection, bake, command_env, project_database, where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--prefix", default="pgschemas_bench", help="of the database's name")
    options = parser.parse_args(argv)
    from psycopg2 import sql

    with tempfile.TemporaryDirectory() as folder:
        project = bake(Path(folder))
        server = project_database(project)
        name = f"{options.prefix}_console_{os.getpid()}_{secrets.token_hex(3)}"
        with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            env = {
                **command_env(project, server, name),
                "DJANGO_SETTINGS_MODULE": "pgschemas_settings",
            }
            run = {"cwd": project, "env": env, "check": True}
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **run)
            print(f"console list at {options.tenants:,} workspaces ({where()})", flush=True)
            worker = [sys.executable, str(HERE / "console_worker.py")]
            subprocess.run([*worker, str(options.tenants), str(options.repeats)], **run)
        finally:
            with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
                statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                cursor.execute(statement.format(sql.Identifier(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One schema alone in and out of the database with pg_dump and pg_restore.

``dump_schema`` writes a custom-format dump of one schema from one consistent snapshot (writers
are not locked out), with the row count of each table and the migrations recorded in that same
snapshot. ``restore_schema`` loads such a dump under another schema name, in one transaction:
pg_restore turns the dump into SQL, the schema's name is rewritten in the statements (never in the
rows), and psql runs it. ``swap_schemas`` puts a restored schema in place of a live one.
"""

import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from psycopg2 import sql

from ..exceptions import DumpError
from ..names import quote_schema_name
from .pgtools import connection_args, tool
from .plans import MigrationKey

COPY_START = re.compile(r"^COPY .* FROM stdin;$")
COPY_END = "\\.\n"
# What the statements of a dump are made of, as far as renaming its schema goes: comments and
# dollar-quoted bodies (kept), string literals, and names with what marks them as a schema's
# (the SCHEMA keyword before, or a dot after).
TOKEN = re.compile(
    r"""(?P<skip>--[^\n]*|\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$|[0-9][A-Za-z0-9_$.]*)
    |(?P<string>'(?:[^']|'')*')
    |(?P<keyword>\bSCHEMA\s+)?(?P<name>"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)(?P<dot>\.)?""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class SchemaSnapshot:
    """What a dump holds, read from the snapshot it was taken from."""

    row_counts: dict[str, int]
    migrations: frozenset[MigrationKey]


def dump_schema(schema_name: str, path: Path) -> SchemaSnapshot:
    """Write ``pg_dump -n <schema> -Fc`` to ``path``, with the counts of the same snapshot."""
    args, env = connection_args()
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            snapshot = SchemaSnapshot(
                row_counts=row_counts(cursor, schema_name),
                migrations=_migrations(cursor, schema_name),
            )
        command = [tool("pg_dump"), *args, "--format=custom", f"--snapshot={snapshot_id}"]
        _run([*command, "--schema", schema_name, "--file", str(path)], env)
    finally:
        raw.close()
    return snapshot


def restore_schema(path: Path, *, original: str, target: str) -> None:
    """Load the dump of schema ``original`` as the new schema ``target``, all or nothing."""
    quote_schema_name(target)
    args, env = connection_args()
    restore = [tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(path)]
    psql = [tool("psql"), *args, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1"]
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        reader = subprocess.Popen(restore, stdout=subprocess.PIPE, stderr=restore_errors, env=env)
        writer = subprocess.Popen(
            [*psql, "--file", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert reader.stdout is not None and writer.stdin is not None
        try:
            # One transaction, committed only when pg_restore read the whole dump: a damaged
            # dump gives pg_restore's SQL up to the damage, then an error.
            writer.stdin.write(b"BEGIN;\n")
            _copy_renamed(reader.stdout, writer.stdin, original, target)
            reader.stdout.close()
            writer.stdin.write(b"COMMIT;\n" if reader.wait() == 0 else b"ROLLBACK;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            reader.stdout.close()  # pg_restore, if still writing, stops too
            writer.stdin.close()
        # psql's error first: pg_restore fails only because psql stopped reading.
        failures = [
            (name, errors)
            for name, process, errors in (
                ("psql", writer, psql_errors),
                ("pg_restore", reader, restore_errors),
            )
            if process.wait() != 0
        ]
        if failures:
            name, errors = failures[0]
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise DumpError(f"Restoring the dump failed ({name}): {message}")


def _copy_renamed(source: IO[bytes], sink: IO[bytes], original: str, target: str) -> None:
    """Statements renamed, COPY rows as they are, one statement block at a time."""
    statements: list[str] = []
    in_rows = False
    for raw_line in source:
        line = raw_line.decode()
        if in_rows:
            sink.write(raw_line)
            in_rows = line != COPY_END
            continue
        statements.append(line)
        if COPY_START.match(line.rstrip("\n")):
            sink.write(rename_schema_in_sql("".join(statements), original, target).encode())
            statements.clear()
            in_rows = True
    sink.write(rename_schema_in_sql("".join(statements), original, target).encode())


def rename_schema_in_sql(text: str, original: str, target: str) -> str:
    """``text`` (pg_dump's statements) with the schema ``original`` named ``target``.

    A name is the schema's where SCHEMA comes before it or a dot after it; a string literal
    only when it is a qualified name of that schema (``'acme.project_id_seq'``, as
    ``setval`` and ``::regclass`` take them).
    """
    names = {original, f'"{original}"'}
    literal = re.compile(rf"'(?:{re.escape(original)}|\"{re.escape(original)}\")\.([^.']+)'")

    def replace(match: re.Match[str]) -> str:
        if match["string"] is not None:
            found = literal.fullmatch(match["string"])
            return f"'{target}.{found[1]}'" if found else match["string"]
        if match["name"] in names and (match["keyword"] or match["dot"]):
            return f"{match['keyword'] or ''}{target}{match['dot'] or ''}"
        return match[0]

    return TOKEN.sub(replace, text)


def row_counts(cursor: Any, schema_name: str) -> dict[str, int]:
    """Rows per table of the schema (``cursor``: psycopg2's)."""
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'p') "
        "ORDER BY c.relname",
        [schema_name],
    )
    tables = [name for (name,) in cursor.fetchall()]
    if not tables:
        return {}
    counts = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}.{}").format(
            sql.Literal(table), sql.Identifier(schema_name), sql.Identifier(table)
        )
        for table in tables
    )
    cursor.execute(counts.as_string(cursor.connection))
    return dict(cursor.fetchall())


def _migrations(cursor: Any, schema_name: str) -> frozenset[MigrationKey]:
    cursor.execute("SELECT to_regclass(quote_ident(%s) || '.django_migrations')", [schema_name])
    if cursor.fetchone()[0] is None:
        return frozenset()
    table = sql.SQL("SELECT app, name FROM {}.django_migrations").format(
        sql.Identifier(schema_name)
    )
    cursor.execute(table.as_string(cursor.connection))
    return frozenset(cursor.fetchall())


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise DumpError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def swap_schemas(
    live: str,
    fresh: str,
    kept_as: str,
    *,
    then: Callable[[], None] = lambda: None,
    lock_timeout_ms: int = 2000,
) -> None:
    """Put ``fresh`` in the place of ``live`` (kept as ``kept_as``) in one short transaction.

    The live schema's tables are locked first, so a transaction that already read some of them
    ends before the swap and one that starts after it sees only the new tables. ``then`` runs
    before the commit: if it raises, nothing was swapped.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
        cursor.execute(
            "SELECT quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN "
            "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
            [live],
        )
        tables = [f"{quote_schema_name(live)}.{name}" for (name,) in cursor.fetchall()]
        if tables:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            f"ALTER SCHEMA {quote_schema_name(live)} RENAME TO {quote_schema_name(kept_as)}"
        )
        cursor.execute(
            f"ALTER SCHEMA {quote_schema_name(fresh)} RENAME TO {quote_schema_name(live)}"
        )
        then()

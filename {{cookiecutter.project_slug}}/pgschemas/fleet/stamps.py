"""Stamps: what each schema's ``django_migrations`` holds, kept in public, so that finding who is
behind reads one index per schema instead of each schema's table.

A stamp ties a ``django_migrations`` table (by its oid, which a renamed schema keeps and a
re-created table does not) and its schema (by oid: a whole fleet's stamps are matched to its
schemas without reading each table's catalog row) to a set of migrations
(``pgschemas_migration_set``, one row per distinct set: a fleet has a handful). It is written in
the transaction that changes the table, from what that transaction read and recorded (the
migrator), or from the table's own rows under a lock that keeps writers out (``stamp``). A
statement trigger on the table deletes the stamp on any change made any other way (raw SQL,
Django's ``migrate`` through ``runschema``, a restored archive's rows), and a stamp counts only
while that trigger is there and enabled: a stamp is the table's content or it is absent. The
exceptions: two ``migrateschema`` runs changing the same schema at once, which Django's
``migrate`` does not support either, and a table moved to another schema by ``ALTER TABLE ...
SET SCHEMA``, which nothing here or in Django does. Not on Citus (no triggers on distributed
tables): every schema is read.
"""

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, cast

from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from ..app_settings import citus_enabled
from ..names import PUBLIC, quote_schema_name
from .plans import MigrationKey

SETS = "pgschemas_migration_set"
STAMPS = "pgschemas_migration_stamp"
TRIGGER = "pgschemas_migrations_changed"


def install_sql() -> str:
    """The two tables and the trigger function (for a migration of the project's public app),
    as they were first made; ``add_schema_sql`` adds the stamps' schemas."""
    return f"""
        CREATE TABLE {PUBLIC}.{SETS} (
            id serial PRIMARY KEY,
            fingerprint char(32) NOT NULL UNIQUE,
            migrations text[] NOT NULL
        );
        CREATE TABLE {PUBLIC}.{STAMPS} (
            table_oid oid PRIMARY KEY,
            set_id integer NOT NULL REFERENCES {PUBLIC}.{SETS} (id) ON DELETE CASCADE
        );
        CREATE INDEX {STAMPS}_set_id ON {PUBLIC}.{STAMPS} (set_id);
        CREATE FUNCTION {PUBLIC}.{TRIGGER}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {PUBLIC}.{STAMPS} WHERE table_oid = TG_RELID;
            RETURN NULL;
        END $$;
    """


def uninstall_sql() -> str:
    return (
        f"DROP TABLE {PUBLIC}.{STAMPS}; DROP TABLE {PUBLIC}.{SETS}; "
        f"DROP FUNCTION {PUBLIC}.{TRIGGER}() CASCADE;"
    )


def add_schema_sql() -> str:
    """The schema of each stamp's table (for a later migration of the project's public app).

    Nullable: a process of the release before it, still running while the migration is applied,
    writes stamps without one; those do not count in a pass over the whole fleet (its schemas
    are read, then stamped again).
    """
    return f"""
        ALTER TABLE {PUBLIC}.{STAMPS} ADD COLUMN schema_oid oid;
        UPDATE {PUBLIC}.{STAMPS} s SET schema_oid = c.relnamespace
          FROM pg_catalog.pg_class c WHERE c.oid = s.table_oid;
        DELETE FROM {PUBLIC}.{STAMPS} WHERE schema_oid IS NULL;
    """


def drop_schema_sql() -> str:
    return f"ALTER TABLE {PUBLIC}.{STAMPS} DROP COLUMN schema_oid;"


def stamps_enabled() -> bool:
    """Whether this database keeps stamps: not on Citus, and only once public has the tables
    (asked once per connection, once they are there)."""
    if citus_enabled():
        return False
    facts: dict[str, object] = connection.facts  # type: ignore[attr-defined]
    if not facts.get(STAMPS):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{PUBLIC}.{STAMPS}"])
            facts[STAMPS] = bool(cursor.fetchone()[0])
    return bool(facts[STAMPS])


def stamp_sql(
    schema_name: str, migrations: frozenset[MigrationKey] | None = None, *, trigger: bool = True
) -> str:
    """Stamp a schema's ``django_migrations`` with ``migrations``, what its transaction has made
    it hold (or, when None, with its rows as they are read); with ``trigger``, make sure its
    trigger is there (false when its stamp counted, so the trigger is known to be there).

    Statements that return nothing: the migrator sends them with its DDL.
    """
    table = f"{quote_schema_name(schema_name)}.django_migrations"
    statements = []
    if trigger:
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TRIGGER} "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PUBLIC}.{TRIGGER}()"
        )
    if migrations is None:
        rows = f"SELECT app || '.' || name AS migration FROM {table}"
        ordered = 'ORDER BY migration COLLATE "C"'  # as Python sorts the set's names
        everything = f"coalesce(string_agg(migration, ',' {ordered}), '')"
        held = (
            f"SELECT md5({everything}), "
            f"coalesce(array_agg(migration {ordered}), ARRAY[]::text[]) FROM ({rows}) held"
        )
        fingerprint = f"(SELECT md5({everything}) FROM ({rows}) held)"
    else:
        fingerprint, held = _set_sql(migrations)
    # Two statements: the second's snapshot sees a set that another transaction added while the
    # first waited for it (ON CONFLICT waits for a concurrent insert of the same set).
    if migrations is None or fingerprint not in _committed_sets:
        statements.append(_insert_set_sql(held))
    statements.append(
        f"INSERT INTO {PUBLIC}.{STAMPS} (table_oid, schema_oid, set_id) "
        f"SELECT '{table}'::regclass, '{quote_schema_name(schema_name)}'::regnamespace, id "
        f"FROM {PUBLIC}.{SETS} WHERE fingerprint = {fingerprint} ON CONFLICT (table_oid) "
        "DO UPDATE SET set_id = EXCLUDED.set_id, schema_oid = EXCLUDED.schema_oid"
    )
    return ";\n".join(statements)


def _insert_set_sql(held: str) -> str:
    return (
        f"INSERT INTO {PUBLIC}.{SETS} (fingerprint, migrations) {held} "
        "ON CONFLICT (fingerprint) DO NOTHING"
    )


@lru_cache(maxsize=16)
def _set_sql(migrations: frozenset[MigrationKey]) -> tuple[str, str]:
    """The set's fingerprint, as an SQL literal, and a SELECT of its row (the same for every
    schema that a plan brings to the same set)."""
    names = sorted(f"{app}.{name}" for app, name in migrations)
    value = hashlib.md5(",".join(names).encode()).hexdigest()
    return _sql("%s", [value]), _sql("SELECT %s, %s::text[]", [value, names])


# Fingerprints (SQL literals) of the sets that ``set_committed`` wrote and committed, while it
# lasts: stamps of these sets do not write them again.
_committed_sets: set[str] = set()


@contextmanager
def set_committed(migrations: frozenset[MigrationKey]) -> Iterator[None]:
    """Within: a stamp of a schema brought to ``migrations`` does not write the set, written and
    committed here once (outside a transaction only: else as usual), in every schema's batch.

    Worker processes forked within inherit it. Should another run prune the set meanwhile,
    such stamps are not written (their SELECT finds no set), never wrong: the schemas are read
    and stamped next time.
    """
    if connection.in_atomic_block or not stamps_enabled():
        yield
        return
    fingerprint, held = _set_sql(migrations)
    with connection.cursor() as cursor:
        cursor.execute(_insert_set_sql(held))  # committed: autocommit
    _committed_sets.add(fingerprint)
    try:
        yield
    finally:
        _committed_sets.discard(fingerprint)


def _sql(sql: str, params: list[Any]) -> str:
    return cast(PostgresOperations, connection.ops).compose_sql(sql, params)


def stamp(schema_names: Sequence[str]) -> None:
    """Stamp these schemas (each has a ``django_migrations``), in one transaction: a lock on each
    table keeps writers out from the read to the commit, so no change slips in between."""
    if not schema_names:
        return
    statements = []
    for name in schema_names:
        table = f"{quote_schema_name(name)}.django_migrations"
        statements.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        statements.append(stamp_sql(name))
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(statements))


def forget_stamp_sql(schema_name: str) -> str:
    """Delete the stamp of a schema about to be dropped (its table's oid may be used again)."""
    table = f"{quote_schema_name(schema_name)}.django_migrations"
    return f"DELETE FROM {PUBLIC}.{STAMPS} WHERE table_oid = to_regclass('{table}')"


def prune_sets() -> None:
    """Forget the sets of migrations that no stamp uses any more."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {PUBLIC}.{SETS} m WHERE NOT EXISTS "
            f"(SELECT FROM {PUBLIC}.{STAMPS} s WHERE s.set_id = m.id)"
        )

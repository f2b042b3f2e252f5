"""Stamps: what each schema's ``django_migrations`` holds, kept in public, so that finding who is
behind reads one index per schema instead of each schema's table.

A stamp ties a ``django_migrations`` table (by its oid, which a renamed schema keeps and a
re-created table does not) to a set of migrations (``pgschemas_migration_set``, one row per
distinct set: a fleet has a handful). It is written in the transaction that changes the table,
from what that transaction read and recorded (the migrator), or from the table's own rows under
a lock that keeps writers out (``stamp``). A statement trigger on the table deletes the stamp on
any change made any other way (raw SQL, Django's ``migrate`` through ``runschema``, a restored
archive's rows), and a stamp counts only while that trigger is there and enabled: a stamp is the
table's content or it is absent (two ``migrateschema`` runs changing the same schema at once, which
Django's ``migrate`` does not support either, are the exception). Not on Citus (no triggers on
distributed tables): every schema is read.
"""

import hashlib
from collections.abc import Sequence
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
    """The two tables and the trigger function (for a migration of the project's public app)."""
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
        names = sorted(f"{app}.{name}" for app, name in migrations)
        value = hashlib.md5(",".join(names).encode()).hexdigest()
        held = _sql("SELECT %s, %s::text[]", [value, names])
        fingerprint = _sql("%s", [value])
    # Two statements: the second's snapshot sees a set that another transaction added while the
    # first waited for it (ON CONFLICT waits for a concurrent insert of the same set).
    statements.append(
        f"INSERT INTO {PUBLIC}.{SETS} (fingerprint, migrations) {held} "
        "ON CONFLICT (fingerprint) DO NOTHING"
    )
    statements.append(
        f"INSERT INTO {PUBLIC}.{STAMPS} (table_oid, set_id) "
        f"SELECT '{table}'::regclass, id FROM {PUBLIC}.{SETS} WHERE fingerprint = {fingerprint} "
        "ON CONFLICT (table_oid) DO UPDATE SET set_id = EXCLUDED.set_id"
    )
    return ";\n".join(statements)


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


# The set id of the stamp of table ``c`` (a ``django_migrations``), NULL when it has none or when
# its trigger is missing or disabled (then the stamp does not count).
STAMP_OF_TABLE = f"""(
    SELECT s.set_id FROM {PUBLIC}.{STAMPS} s
    JOIN pg_catalog.pg_trigger t
      ON t.tgrelid = s.table_oid AND t.tgname = '{TRIGGER}' AND t.tgenabled IN ('O', 'A')
    WHERE s.table_oid = c.oid
)"""

# The ``django_migrations`` table ``c`` of each schema ``w.name`` of the array parameter, looked
# up by name (``to_regclass``: a catalog cache lookup per schema). A join of pg_namespace and
# pg_class by name is planned from the catalogs' statistics, stale after many schemas were made:
# a scan of every schema's row per query, which made finding who is behind grow with the fleet.
MIGRATIONS_TABLE_OF_SCHEMA = """
    FROM unnest(%s::text[]) AS w (name)
    LEFT JOIN pg_catalog.pg_class c
      ON c.oid = to_regclass(format('%%I.django_migrations', w.name))
     AND c.relkind IN ('r', 'p')
"""


def stamp_ids(schema_names: Sequence[str]) -> dict[str, int]:
    """The set id of each of these schemas' stamps that counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.name, {STAMP_OF_TABLE} {MIGRATIONS_TABLE_OF_SCHEMA}",
            [list(schema_names)],
        )
        return {name: set_id for name, set_id in cursor.fetchall() if set_id is not None}


def counted_stamps(table_oids: Sequence[int]) -> dict[int, int]:
    """The set id of the stamp that counts (as ``STAMP_OF_TABLE``) of each of these tables, by
    oid; each table read alone, in one pass."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT table_oid, set_id FROM {PUBLIC}.{STAMPS} WHERE table_oid = ANY(%s::oid[])",
            [list(table_oids)],
        )
        stamps = dict(cursor.fetchall())
        cursor.execute(
            "SELECT tgrelid FROM pg_catalog.pg_trigger WHERE tgrelid = ANY(%s::oid[])"
            " AND tgname = %s AND tgenabled IN ('O', 'A')",
            [list(stamps), TRIGGER],
        )
        return {oid: stamps[oid] for (oid,) in cursor.fetchall()}


def stamped_sets(set_ids: dict[str, int]) -> dict[str, frozenset[MigrationKey]]:
    """What the stamps say each schema holds, from its set id (one query for the distinct sets)."""
    if not set_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, migrations FROM {PUBLIC}.{SETS} WHERE id = ANY(%s)",
            [list(set(set_ids.values()))],
        )
        sets = {
            set_id: frozenset(_key(migration) for migration in migrations)
            for set_id, migrations in cursor.fetchall()
        }
    return {name: sets[set_id] for name, set_id in set_ids.items()}


def _key(migration: str) -> MigrationKey:
    app, _, name = migration.partition(".")
    return app, name


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

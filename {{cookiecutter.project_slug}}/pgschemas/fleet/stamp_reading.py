"""Reading stamps (stamps.py): which set of migrations each schema's ``django_migrations`` holds,
by the stamps that count (their trigger there and enabled), without reading the tables."""

from collections.abc import Collection, Sequence

from django.db import connection

from ..names import PUBLIC
from .plans import MigrationKey
from .stamps import SETS, STAMPS, TRIGGER

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


def counted_stamps(schema_oids: Collection[int]) -> dict[int, int]:
    """The set id of the stamp that counts (as ``STAMP_OF_TABLE``) of each of these schemas, by
    the schema's oid: one pass over the stamps, then over their triggers, and no catalog row of
    the tables. A stamp without its schema (written by an earlier release) is left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT table_oid, schema_oid, set_id FROM {PUBLIC}.{STAMPS}"
            " WHERE schema_oid IS NOT NULL"
        )
        stamps = {
            table: (schema, set_id)
            for table, schema, set_id in cursor.fetchall()
            if schema in schema_oids
        }
        cursor.execute(
            "SELECT tgrelid FROM pg_catalog.pg_trigger WHERE tgrelid = ANY(%s::oid[])"
            " AND tgname = %s AND tgenabled IN ('O', 'A')",
            [list(stamps), TRIGGER],
        )
        return dict(stamps[oid] for (oid,) in cursor.fetchall())


def with_migrations_table(schema_names: Sequence[str]) -> set[str]:
    """Which of these schemas have a ``django_migrations`` (each looked up by name)."""
    if not schema_names:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.name {MIGRATIONS_TABLE_OF_SCHEMA} WHERE c.oid IS NOT NULL",
            [list(schema_names)],
        )
        return {name for (name,) in cursor.fetchall()}


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

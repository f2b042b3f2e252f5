"""Which schemas have migrations to apply, for the whole fleet in a couple of queries."""

from collections.abc import Sequence

from django.db import connection

from .migrator import MigrationKey
from .names import quote_schema_name

SCHEMAS_PER_QUERY = 500


def schemas_behind(schema_names: Sequence[str], expected: frozenset[MigrationKey]) -> list[str]:
    """The schemas, in the order given, that miss a schema, a table or an expected migration.

    One catalog lookup finds the ``django_migrations`` tables (by name: an index scan, not a
    walk through every schema's tables), then one query per 500 schemas counts how many of the
    expected migrations each has.
    """
    with_table = _schemas_with_migrations_table(schema_names)
    complete: set[str] = set()
    candidates = [name for name in schema_names if name in with_table]
    for start in range(0, len(candidates), SCHEMAS_PER_QUERY):
        chunk = candidates[start : start + SCHEMAS_PER_QUERY]
        complete.update(
            name for name, count in _expected_counts(chunk, expected) if count == len(expected)
        )
    return [name for name in schema_names if name not in complete]


def _schemas_with_migrations_table(schema_names: Sequence[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p')
              AND n.nspname = ANY(%s)
            """,
            [list(schema_names)],
        )
        return {name for (name,) in cursor.fetchall()}


def _expected_counts(
    schema_names: Sequence[str], expected: frozenset[MigrationKey]
) -> list[tuple[str, int]]:
    """(schema, how many expected migrations it has recorded) for each schema."""
    if not expected:
        return [(name, 0) for name in schema_names]
    counts = " UNION ALL ".join(
        "SELECT %s, count(DISTINCT (m.app, m.name)) "
        f"FROM {quote_schema_name(name)}.django_migrations m "
        "JOIN expected e ON e.app = m.app AND e.name = m.name"
        for name in schema_names
    )
    apps, names = zip(*sorted(expected), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH expected(app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) {counts}",
            [list(apps), list(names), *schema_names],
        )
        return cursor.fetchall()

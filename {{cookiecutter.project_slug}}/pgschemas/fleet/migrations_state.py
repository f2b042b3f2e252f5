"""Which schemas have migrations to apply, for the whole fleet in a few queries."""

from collections.abc import Iterator, Sequence

from django.db import connection

from ..names import quote_schema_name
from .plans import History, MigrationKey
from .stamp_reading import (
    MIGRATIONS_TABLE_OF_SCHEMA,
    STAMP_OF_TABLE,
    counted_stamps,
    stamp_ids,
    stamped_sets,
    with_migrations_table,
)
from .stamps import stamp, stamps_enabled

SCHEMAS_PER_QUERY = 500
# From this many schemas on, ``histories`` reads the catalogs in one pass each (``_scanned``).
SCAN_FROM = 1000


def schemas_behind(
    schema_names: Sequence[str], expected: frozenset[MigrationKey], *, stamp_unstamped: bool = False
) -> list[str]:
    """The schemas, in the order given, that miss a schema, a table or an expected migration."""
    found = histories(schema_names, stamp_unstamped=stamp_unstamped)
    return [
        name
        for name in schema_names
        if name not in found or not expected <= (found[name].applied or frozenset())
    ]


def histories(schema_names: Sequence[str], *, stamp_unstamped: bool = False) -> dict[str, History]:
    """What each of these schemas that exists has recorded (``applied`` None: no
    ``django_migrations`` table); a schema that does not exist is left out.

    One catalog query finds the schemas, their tables and their stamps (stamps.py), or from
    ``SCAN_FROM`` schemas on one pass over the schemas and the stamps (``_scanned``); one more
    query reads the distinct sets of migrations the stamps name. A schema without a stamp is
    stamped first when ``stamp_unstamped`` (the next time costs it nothing), else its table is
    read: one query per 500 schemas.
    """
    stamped = stamps_enabled()
    if len(schema_names) >= SCAN_FROM:
        rows = _scanned(schema_names, stamped=stamped)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                # Lookups per schema (its table by name, then its stamp and trigger by oid),
                # however many schemas the database holds.
                f"SELECT w.name, c.oid IS NOT NULL, {STAMP_OF_TABLE if stamped else 'NULL'}"
                f" {MIGRATIONS_TABLE_OF_SCHEMA}"
                " WHERE to_regnamespace(quote_ident(w.name)) IS NOT NULL",
                [list(schema_names)],
            )
            rows = cursor.fetchall()
    with_table = [name for name, has_table, _ in rows if has_table]
    applied = stamped_sets({name: set_id for name, _, set_id in rows if set_id is not None})
    unstamped = [name for name in with_table if name not in applied]
    if stamp_unstamped and stamped and unstamped:
        for chunk in _chunks(unstamped):
            stamp(chunk)
        applied.update(stamped_sets(stamp_ids(unstamped)))
    with_stamp = set(applied)
    for chunk in _chunks([name for name in with_table if name not in applied]):
        applied.update(_applied_in(chunk))
    return {
        name: History(exists=True, applied=applied.get(name), stamped=name in with_stamp)
        for name, _, _ in rows
    }


def _scanned(schema_names: Sequence[str], *, stamped: bool) -> list[tuple[str, bool, int | None]]:
    """(schema, has a ``django_migrations``, the set id of its stamp that counts) of each of these
    schemas that exists, from one pass over the schemas, the stamps and their triggers: for many
    schemas, cheaper than a lookup by name each (which fills a new connection's catalog caches
    one schema at a time). Only a schema without a stamp that counts has its table looked up.
    Each query reads one table: no join that stale catalog statistics could plan as a scan per
    row."""
    wanted = set(schema_names)
    with connection.cursor() as cursor:
        # Every schema's row (a few pages), rather than an index probe per name.
        cursor.execute("SELECT oid, nspname FROM pg_catalog.pg_namespace")
        names = {oid: name for oid, name in cursor.fetchall() if name in wanted}
    set_ids = counted_stamps(names) if stamped else {}
    tables = with_migrations_table([name for oid, name in names.items() if oid not in set_ids])
    return [
        (name, oid in set_ids or name in tables, set_ids.get(oid)) for oid, name in names.items()
    ]


def _chunks(names: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(names), SCHEMAS_PER_QUERY):
        yield names[start : start + SCHEMAS_PER_QUERY]


def _applied_in(schema_names: Sequence[str]) -> Iterator[tuple[str, frozenset[MigrationKey]]]:
    """(schema, the migrations it has recorded) for each schema, in one query."""
    applied = " UNION ALL ".join(
        f"SELECT %s, array_agg(m.app), array_agg(m.name) "
        f"FROM {quote_schema_name(name)}.django_migrations m"
        for name in schema_names
    )
    with connection.cursor() as cursor:
        cursor.execute(applied, list(schema_names))
        for name, apps, names in cursor.fetchall():
            yield name, frozenset(zip(apps or (), names or (), strict=True))

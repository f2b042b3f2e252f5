"""Creating, migrating and dropping schemas."""

from django.db import connection, transaction

from ..availability import schema_exists
from ..config import PUBLIC
from ..names import quote_schema_name
from ..schema import NamedSchema, Schema
from .migrator import migrate_schema
from .plans import History
from .stamps import forget_stamp_sql, stamps_enabled


def create_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema_name)}")


def drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Rows written earlier in this transaction (a tenant created and dropped in one
            # transaction) leave deferred FK checks pending, which would block the DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        drop = f"DROP SCHEMA IF EXISTS {quote_schema_name(schema_name)} CASCADE"
        cursor.execute(f"{forget_stamp_sql(schema_name)}; {drop}" if stamps_enabled() else drop)


def create_missing_schema(schema: Schema) -> bool:
    """Create the schema unless it exists (or is public); whether it was created."""
    if schema.schema_name == PUBLIC or schema_exists(schema.schema_name):
        return False
    create_schema(schema.schema_name)
    return True


def create_and_migrate_schema(
    schema_name: str, history: History | None = None, *, savepoint: bool = True
) -> int:
    """A dynamic tenant's schema, created if missing and migrated, in one transaction (or one
    savepoint of the caller's). ``history``: what the caller read of it in this transaction
    (``migrations_state.histories``; a schema that does not exist has ``exists`` false).
    ``savepoint``: False when the caller holds a savepoint for this schema alone."""
    schema = NamedSchema(schema_name, dynamic=True)
    with transaction.atomic(savepoint=savepoint):
        if history is None:
            new = create_missing_schema(schema)
        elif new := not history.exists:
            create_schema(schema_name)
        return migrate_schema(schema, new=new, history=history, savepoint=False)

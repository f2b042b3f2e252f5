"""Creating, migrating and dropping schemas."""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection

from .config import PUBLIC
from .names import quote_schema_name
from .schema import Schema


def create_schema(schema_name: str, *, if_not_exists: bool = False) -> None:
    guard = "IF NOT EXISTS " if if_not_exists else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {guard}{quote_schema_name(schema_name)}")


def drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Rows written earlier in this transaction (a tenant created and dropped in one
            # transaction) leave deferred FK checks pending, which would block the DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema_name)} CASCADE")


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def migrate_schema(schema: Schema, *, verbosity: int = 0) -> None:
    """Apply every migration the schema's apps have, creating the schema if it is missing."""
    if schema.schema_name != PUBLIC:
        create_schema(schema.schema_name, if_not_exists=True)
    with schema:
        call_command(MigrateCommand(), interactive=False, verbosity=verbosity, skip_checks=True)

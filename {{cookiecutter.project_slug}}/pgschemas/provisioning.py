"""Creating, migrating and dropping schemas."""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection

from .config import PUBLIC
from .names import quote_schema_name
from .schema import Schema


def create_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema_name)}")


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


def create_missing_schema(schema: Schema) -> None:
    if schema.schema_name != PUBLIC and not schema_exists(schema.schema_name):
        create_schema(schema.schema_name)


def migrate_schema(schema: Schema) -> None:
    """Quietly apply every migration of the schema's apps to an existing schema."""
    with schema:
        call_command(MigrateCommand(), interactive=False, verbosity=0, skip_checks=True)

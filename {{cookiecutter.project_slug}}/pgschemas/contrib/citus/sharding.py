"""Tenants on a Citus cluster (``settings.PGSCHEMAS_CITUS``): schema-based sharding.

With the setting on, every connection turns on ``citus.enable_schema_based_sharding``, so each
schema created through the coordinator (a tenant's, a static tenant's) becomes a distributed
schema that lives whole on one worker; queries keep using the search_path. Public tables that
tenant models point to with a ``ForeignKey`` (``django_content_type``), which a worker's queries
join, are made reference tables, copied to every node, after public is migrated. The rest of
``operations.py`` is what the operations commands (``citus_tenants``, ``citus_move``,
``citus_rebalance``, ``citus_add_node``) run.
"""

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import post_migrate

from ...app_settings import citus_enabled
from ...config import PUBLIC, app_labels, get_tenants_config
from ...schema import get_active_schema


def connect() -> None:
    connection_created.connect(_enable_schema_sharding, dispatch_uid="pgschemas_citus_sharding")
    post_migrate.connect(_make_reference_tables, dispatch_uid="pgschemas_citus_reference")


def _enable_schema_sharding(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if citus_enabled() and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET citus.enable_schema_based_sharding TO on")


def _make_reference_tables(app_config: Any, using: str, **kwargs: Any) -> None:
    """After public's migrations, make the public tables that tenants refer to reference
    tables (a worker's queries can only join tables that the worker has too)."""
    if not citus_enabled() or get_active_schema().schema_name != PUBLIC:
        return
    if app_config.name != "pgschemas":  # post_migrate comes once per app: act once
        return
    if not has_citus():
        raise ImproperlyConfigured(
            f"PGSCHEMAS_CITUS is on, but the database {connection.settings_dict['NAME']!r} has "
            "no citus extension: point DATABASE_URL at a Citus coordinator's database, or turn "
            "PGSCHEMAS_CITUS off."
        )
    for table in public_tables_referenced_by_tenants():
        make_reference_table(table)


def public_tables_referenced_by_tenants() -> list[str]:
    """Public tables that a tenant app's foreign key points to, and the public tables those
    point to in turn (a reference table may only refer to reference tables)."""
    config = get_tenants_config()
    public = app_labels(config.public_apps)
    tenant_entries = config.default_apps + tuple(
        app for static in config.static.values() for app in static.apps
    )
    tenant = app_labels(tenant_entries) - public
    wanted: list[type[Model]] = []
    pending = [
        target
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in tenant
        for target in _foreign_key_targets(model)
        if target._meta.app_label in public
    ]
    while pending:
        model = pending.pop()
        if model not in wanted:
            wanted.append(model)
            pending += [t for t in _foreign_key_targets(model) if t._meta.app_label in public]
    return [model._meta.db_table for model in wanted]


def _foreign_key_targets(model: type[Model]) -> list[type[Model]]:
    return [
        field.related_model
        for field in model._meta.concrete_fields
        if (field.many_to_one or field.one_to_one) and isinstance(field.related_model, type)
    ]


def make_reference_table(table: str) -> None:
    """Replicate public.<table> to every node, once."""
    qualified = f"{PUBLIC}.{connection.ops.quote_name(table)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL", [qualified])
        if cursor.fetchone()[0]:
            return  # not created in this database (its app is not migrated here)
        cursor.execute(
            "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = %s::regclass", [qualified]
        )
        if cursor.fetchone() is None:
            cursor.execute("SELECT create_reference_table(%s::regclass)", [qualified])


def has_citus() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None

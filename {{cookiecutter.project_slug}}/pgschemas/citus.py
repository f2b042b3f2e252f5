"""Tenants on a Citus cluster (``settings.PGSCHEMAS_CITUS``): schema-based sharding.

With the setting on, every connection turns on ``citus.enable_schema_based_sharding``, so each
schema created through the coordinator (a tenant's, a static tenant's) becomes a distributed
schema that lives whole on one worker; queries keep using the search_path. Public tables that
tenant models point to with a ``ForeignKey`` (``django_content_type``), which a worker's queries
join, are made reference tables, copied to every node, after public is migrated. The rest of
this module is what the operations commands (``citus_tenants``, ``citus_move``,
``citus_rebalance``, ``citus_add_node``) run.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import post_migrate

from .config import PUBLIC, app_labels, get_tenants_config
from .names import check_schema_name
from .schema import get_active_schema


def citus_enabled() -> bool:
    return bool(getattr(settings, "PGSCHEMAS_CITUS", False))


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


# --- operations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    schema_name: str
    node: str | None  # host:port of the worker, None while the schema has no table
    size_bytes: int


def has_citus() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None


def require_citus() -> None:
    """Raise a CommandError unless the database is a Citus coordinator."""
    if not has_citus():
        raise CommandError(
            f"The database {connection.settings_dict['NAME']!r} is not a Citus coordinator (it "
            "has no citus extension). Point DATABASE_URL at the coordinator of a Citus cluster "
            "and set PGSCHEMAS_CITUS=on; see the README's section on Citus."
        )


def placements() -> list[Placement]:
    """Every distributed schema, with the worker that holds it and its size on disk."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.schema_name::text, min(sh.nodename || ':' || sh.nodeport),
                   coalesce(sum(sh.shard_size), 0)::bigint
            FROM citus_schemas s
            LEFT JOIN citus_shards sh ON sh.colocation_id = s.colocation_id
            GROUP BY 1 ORDER BY 1
            """
        )
        return [Placement(*row) for row in cursor.fetchall()]


def workers() -> list[str]:
    """host:port of every active worker node."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename || ':' || nodeport FROM pg_dist_node "
            "WHERE isactive AND noderole = 'primary' AND shouldhaveshards AND groupid <> 0 "
            "ORDER BY nodeid"
        )
        return [node for (node,) in cursor.fetchall()]


def parse_node(node: str) -> tuple[str, int]:
    host, _, port = node.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"{node!r} is not a node address: write it as host:port.")
    return host, int(port)


def move_schema(schema_name: str, node: str) -> None:
    """Move a distributed schema to the worker ``node`` (host:port), writes allowed meanwhile."""
    check_schema_name(schema_name)
    host, port = parse_node(node)
    by_schema = {placement.schema_name: placement for placement in placements()}
    if schema_name not in by_schema:
        raise CommandError(f"{schema_name!r} is not a distributed schema of this cluster.")
    if node not in workers():
        raise CommandError(f"{node!r} is not an active worker; the workers: {workers()}.")
    if by_schema[schema_name].node == node:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citus_schema_move(%s::regnamespace, %s, %s)", [schema_name, host, port]
        )


def rebalance() -> None:
    """Move schemas until every worker holds about as many; waits until done."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_rebalance_start()")
        cursor.execute("SELECT citus_rebalance_wait()")


def add_node(node: str) -> None:
    """Register a new worker (already running with Citus in this database) with the cluster."""
    host, port = parse_node(node)
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_add_node(%s, %s)", [host, port])

"""Finding a schema by its name: public, a static tenant (settings) or a dynamic one (database)."""

from . import app_settings
from .config import PUBLIC, get_tenant_model, get_tenants_config
from .exceptions import SchemaNotFound
from .schema import PUBLIC_SCHEMA, Schema, StaticSchema


def tenant_named(name: str) -> Schema | None:
    """The dynamic tenant whose schema is ``name`` (one indexed query in public), or None; with
    what the host map loads with each tenant (``PGSCHEMAS_ROUTING_RELATED``)."""
    tenants = get_tenant_model()._default_manager.select_related(*app_settings.routing_related())
    return tenants.filter(schema_name=name).first()


def schema_named(name: str) -> Schema:
    """Public, a static tenant or a dynamic tenant by schema name; SchemaNotFound otherwise."""
    if name == PUBLIC:
        return PUBLIC_SCHEMA
    if name in get_tenants_config().static:
        return StaticSchema(name)
    tenant = tenant_named(name)
    if tenant is None:
        raise SchemaNotFound(f"No tenant has the schema {name!r}: it may have been deleted.")
    return tenant

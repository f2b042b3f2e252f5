"""One rule for whether a name is free for a new tenant's schema.

Sign-up, the operator admin, ``Client.save()`` and ``createtenants`` all ask here: a name must be
valid, not reserved (TENANTS keys, spares), not used by a tenant, and not left in the database
by a deleted tenant whose schema was kept.
"""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import connection

from .config import get_tenant_model, get_tenants_config
from .names import SPARE_PREFIX, check_schema_name


def validate_tenant_schema_name(name: str) -> None:
    """The syntax and reservation rules only (the schema_name field's validator)."""
    check_schema_name(name, reserved=get_tenants_config().reserved_names)
    if name.startswith(SPARE_PREFIX):
        raise ValidationError(
            "%(name)r is not a valid schema name: names starting with %(prefix)r are spare "
            "schemas kept ready for new tenants.",
            code="reserved_schema_name",
            params={"name": name, "prefix": SPARE_PREFIX},
        )


def schema_exists(schema_name: str) -> bool:
    return bool(existing_schemas([schema_name]))


def existing_schemas(schema_names: Collection[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            # A catalog cache lookup per name: a join by name would be planned from pg_namespace's
            # statistics, stale after many schemas were made (then a scan of every schema).
            "SELECT w.name FROM unnest(%s::text[]) AS w (name) "
            "WHERE to_regnamespace(quote_ident(w.name)) IS NOT NULL",
            [list(schema_names)],
        )
        return {name for (name,) in cursor.fetchall()}


def taken_schema_names(schema_names: Collection[str]) -> set[str]:
    """The names that a tenant or an existing schema holds already (two queries for all)."""
    tenants = get_tenant_model()._default_manager.filter(schema_name__in=list(schema_names))
    taken = set(tenants.values_list("schema_name", flat=True))
    return taken | existing_schemas(schema_names)


def leftover_schema_message(schema_name: str) -> str:
    return (
        f"Schema {schema_name!r} already exists in the database, probably left by a deleted "
        f'tenant (auto_drop_schema is off). Drop it with DROP SCHEMA "{schema_name}" CASCADE, '
        "or choose another schema_name."
    )


def check_schema_name_available(schema_name: str) -> str:
    """Return ``schema_name`` if a new tenant may take it; else raise ValidationError.

    Codes: those of ``check_schema_name``, ``schema_name_taken`` (a tenant uses it) and
    ``leftover_schema`` (the schema exists without a tenant).
    """
    validate_tenant_schema_name(schema_name)
    model = get_tenant_model()
    if model._default_manager.filter(schema_name=schema_name).exists():
        raise ValidationError(
            f"A {model._meta.verbose_name} already uses the schema {schema_name!r}: "
            "choose another schema_name.",
            code="schema_name_taken",
        )
    if schema_exists(schema_name):
        raise ValidationError(leftover_schema_message(schema_name), code="leftover_schema")
    return schema_name

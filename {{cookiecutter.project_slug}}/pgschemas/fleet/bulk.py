"""Creating many tenants at once: spare schemas migrated in parallel, each taken by a tenant.

Each tenant is still created through the model (``save()``), all or nothing, with its signals.
"""

from contextlib import closing

from django.core.exceptions import ValidationError
from django.db import transaction

from ..availability import taken_schema_names, validate_tenant_schema_name
from ..config import get_domain_model, get_tenant_model
from .progress import Progress
from .runner import migrate_dynamic_schemas
from .spares import new_spare_name, spare_schema_names


def planned_schema_names(prefix: str, start: int, count: int) -> list[str]:
    """``prefix1``, ``prefix2``...; ValidationError if one is invalid or already taken."""
    names = [f"{prefix}{number}" for number in range(start, start + count)]
    for name in names:
        validate_tenant_schema_name(name)
    taken = taken_schema_names(names)
    if taken:
        raise ValidationError(
            f"These schema names are taken already: {', '.join(sorted(taken)[:5])}. "
            "Choose another --prefix or --start."
        )
    return names


def create_tenants(names: list[str], *, domain: str, jobs: int, progress: Progress) -> list[str]:
    """Create a tenant per schema name (with ``<name>.<domain>`` when domain is given).

    The spares that the pool lacks are migrated in worker processes; this process makes a tenant
    each time one is ready, so that both go on at once. Returns the failures, as "schema: error"
    lines; the tenants before them were created.
    """
    spares = [new_spare_name() for _ in range(len(names) - len(spare_schema_names()))]
    tenants = iter(names)
    outcomes = migrate_dynamic_schemas(spares, jobs=jobs, fail_fast=True)
    with closing(outcomes):  # on a failure, the workers stop once their schema is done
        for outcome in outcomes:
            if outcome.error is not None:
                return [f"{outcome.schema_name}: {outcome.error}"]
            failure = create_tenant(next(tenants), domain, progress)
            if failure:
                return [failure]
    for name in tenants:  # as many as the pool had spares for
        failure = create_tenant(name, domain, progress)
        if failure:
            return [failure]
    return []


def create_tenant(name: str, domain: str, progress: Progress) -> str | None:
    """One tenant through the model, all or nothing; the failure, if any, as "schema: error"."""
    tenant_model, domain_model = get_tenant_model(), get_domain_model()
    named = any(field.name == "name" for field in tenant_model._meta.get_fields())
    try:
        with transaction.atomic():
            tenant = tenant_model(schema_name=name, **({"name": name} if named else {}))
            tenant.save()
            if domain:
                host = f"{name.replace('_', '-')}.{domain}"
                domain_model(tenant=tenant, domain=host, is_primary=True).save()  # type: ignore[misc]
    except Exception as error:
        progress.schema_failed(name, str(error))
        return f"{name}: {error}"
    progress.schema_done(name, 0)
    return None

"""A new tenant's schema: take a spare if one is ready (a rename), else create one; migrate it;
then tell the project (``schema_created``) so that it can seed the tenant's first data."""

from django.db import DatabaseError, transaction

from ..exceptions import TenantSchemaError
from ..schema import Schema
from ..signals import schema_created
from .migrator import migrate_schema
from .provisioning import create_schema
from .spares import claim_spare_schema, refill_in_background


def create_tenant_schema(tenant: Schema) -> None:
    """In the caller's transaction: on any failure the schema goes with the tenant's row.

    Migrating a current spare costs one query; the pool is refilled after commit.
    """
    try:
        new = not claim_spare_schema(tenant.schema_name)
        if new:
            create_schema(tenant.schema_name)
        else:
            transaction.on_commit(refill_in_background)
        migrate_schema(tenant, new=new)
    except DatabaseError as error:
        raise TenantSchemaError(
            f"Could not create schema {tenant.schema_name!r}: migrating it failed with "
            f"{type(error).__name__}: {error}. The schema and the tenant row were rolled back."
        ) from error
    with tenant:
        schema_created.send(sender=type(tenant), tenant=tenant)

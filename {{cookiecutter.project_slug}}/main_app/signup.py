"""A visitor becomes a customer: the sub-domain rules and creating the workspace, all or nothing."""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pgschemas.availability import taken_schema_names
from pgschemas.config import get_tenants_config
from pgschemas.exceptions import TenantSchemaError
from pgschemas.names import check_domain, check_schema_name
from shared_app.models import Client, Domain

logger = logging.getLogger(__name__)


class SubdomainUnavailable(Exception):
    """The sub-domain breaks a rule, is reserved or is taken; the message says which, and what
    to try instead."""


class WorkspaceNotCreated(Exception):
    """Creating the workspace failed for another reason; nothing of it was kept."""


def workspace_domain(subdomain: str) -> str:
    return f"{subdomain}.{settings.TENANT_DOMAIN_SUFFIX}"


def reserved_subdomains() -> frozenset[str]:
    """RESERVED_SUBDOMAINS, every static tenant's name and every sub-domain they are served on."""
    config = get_tenants_config()
    served = {
        domain.partition(".")[0]
        for tenant in config.static.values()
        for domain in tenant.domains
        if domain.endswith((f".{settings.DOMAIN_NAME}", f".{settings.TENANT_DOMAIN_SUFFIX}"))
    }
    return frozenset({*settings.RESERVED_SUBDOMAINS, *config.reserved_names, *served})


def is_taken(subdomain: str) -> bool:
    return (
        bool(taken_schema_names([subdomain]))
        or Domain.objects.filter(domain=workspace_domain(subdomain)).exists()
    )


def check_subdomain(subdomain: str) -> str:
    """Return the sub-domain if a new workspace may take it; else raise SubdomainUnavailable.

    It becomes both the schema name and the first label of the host name, so it must pass
    both rules: lower-case letters and digits, starting with a letter.
    """
    reserved = reserved_subdomains()
    try:
        check_schema_name(subdomain, reserved=reserved)
        check_domain(workspace_domain(subdomain))
    except ValidationError as error:
        if error.code == "reserved_schema_name" and subdomain in reserved:
            problem = f"“{subdomain}” is reserved."
        else:
            problem = "Use 1 to 63 lower-case letters and digits, starting with a letter."
        raise SubdomainUnavailable(f"{problem} Try “{suggest_subdomain(subdomain)}”.") from None
    if is_taken(subdomain):
        raise SubdomainUnavailable(
            f"“{subdomain}” is already taken. Try “{suggest_subdomain(subdomain)}”."
        )
    return subdomain


def suggest_subdomain(wanted: str) -> str:
    """A free, valid sub-domain close to ``wanted``: its letters and digits, then a number."""
    base = re.sub(r"[^a-z0-9]", "", wanted.lower()).lstrip("0123456789")[:56] or "team"
    reserved = reserved_subdomains()
    candidates = [base] + [f"{base}{number}" for number in range(2, 1000)]
    for candidate in candidates:
        if candidate not in reserved and not is_taken(candidate):
            return candidate
    return f"{base}{Client.objects.count() + 1000}"


@dataclass(frozen=True)
class NewWorkspace:
    client: Client
    owner_id: int


def create_workspace(*, name: str, subdomain: str, email: str, password: str) -> NewWorkspace:
    """The Client (its schema created and migrated), its primary Domain and the owner inside the
    new schema, in one transaction: on any failure nothing is left."""
    try:
        with transaction.atomic():
            client = Client.objects.create(schema_name=subdomain, name=name)
            domain = workspace_domain(subdomain)
            Domain.objects.create(tenant=client, domain=domain, is_primary=True)
            # The inner savepoint rolls back while the new schema is still active: the backend
            # sets search_path on the next cursor, which an aborted transaction would refuse.
            with client, transaction.atomic():
                User = get_user_model()
                owner = User.objects.create_user(email, password, role=User.Role.OWNER)
    except (IntegrityError, ValidationError, TenantSchemaError) as error:
        if is_taken(subdomain):  # another sign-up won the race for this sub-domain
            raise SubdomainUnavailable(
                f"“{subdomain}” was just taken. Try “{suggest_subdomain(subdomain)}”."
            ) from error
        logger.exception("Creating the workspace %r failed", subdomain)
        raise WorkspaceNotCreated(
            "We could not create your workspace just now and kept nothing of it. "
            "Please try again in a moment."
        ) from error
    return NewWorkspace(client=client, owner_id=owner.pk)

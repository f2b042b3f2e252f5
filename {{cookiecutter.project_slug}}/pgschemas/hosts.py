"""From a request's host to the schema that serves it: one resolver for every protocol."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from .config import get_tenants_config
from .host_map import host_map
from .schema import Schema, StaticSchema

HOST_NAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def normalize_host(host: str) -> str:
    """``Acme.Example.com:8000`` -> ``acme.example.com``."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 literal, with or without a port
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0].rstrip(".")


def check_domain(domain: str) -> str:
    if not HOST_NAME_PATTERN.fullmatch(domain):
        raise ValidationError(
            "%(domain)r is not a valid domain: use a lower-case host name without scheme, port "
            "or path, for example 'acme.example.com'.",
            code="invalid_domain",
            params={"domain": domain},
        )
    return domain


def schema_for_host(host: str) -> Schema | None:
    """The static tenant (from settings) or dynamic tenant (from the host map) behind ``host``.

    No query, except the host map's check for changes at most every
    ``PGSCHEMAS_ROUTING_CHECK_SECONDS``, and one lookup the first time an unknown host is seen.
    """
    host = normalize_host(host)
    static = get_tenants_config().static_by_domain.get(host)
    if static is not None:
        return StaticSchema(static.name)
    if not HOST_NAME_PATTERN.fullmatch(host):
        return None
    return host_map().tenant_for(host)


def routing_changed() -> None:
    """A tenant or domain changed in this process: check the host map before the next request
    here, and again once the transaction has committed. Other processes notice it by themselves
    within the host map's check interval."""
    host_map().expire()
    transaction.on_commit(host_map().expire)

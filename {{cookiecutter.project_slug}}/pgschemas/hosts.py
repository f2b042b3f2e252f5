"""From a request's host to the schema that serves it: one resolver for every protocol."""

import re

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ValidationError
from django.db import transaction

from .config import get_tenants_config
from .schema import Schema, StaticSchema

HOST_NAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_NO_TENANT = 0  # cached for hosts that have no tenant, so unknown hosts cost no query either


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
    """The static tenant (from settings, no query) or dynamic tenant (cached) behind ``host``."""
    host = normalize_host(host)
    static = get_tenants_config().static_by_domain.get(host)
    if static is not None:
        return StaticSchema(static.name)
    if not HOST_NAME_PATTERN.fullmatch(host):
        return None
    cache = _cache()
    tenant = cache.get(_cache_key(host))
    if tenant is None:
        tenant = _tenant_for_domain(host) or _NO_TENANT
        cache.set(_cache_key(host), tenant, _cache_timeout())
    return tenant or None


def forget_domains(*domains: str) -> None:
    """Drop cached routing for these domains now, and again once the transaction commits.

    The second time closes the window in which a request could cache the old routing from a
    transaction that has not committed yet.
    """
    keys = [_cache_key(domain) for domain in domains]
    if keys:
        _cache().delete_many(keys)
        transaction.on_commit(lambda: _cache().delete_many(keys))


def _tenant_for_domain(domain: str) -> Schema | None:
    from .models import get_domain_model

    found = get_domain_model().objects.select_related("tenant").filter(domain=domain).first()
    return found.tenant if found is not None else None


def _cache() -> BaseCache:
    return caches[getattr(settings, "PGSCHEMAS_CACHE", "default")]


def _cache_timeout() -> int:
    return getattr(settings, "PGSCHEMAS_DOMAIN_CACHE_SECONDS", 300)


def _cache_key(domain: str) -> str:
    return f"pgschemas:domain:{domain}"

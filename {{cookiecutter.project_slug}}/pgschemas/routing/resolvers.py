"""From a request to the schema and URLconf that serve it: the routing seam.

The middleware calls ``resolve(request)`` once per request. It asks each resolver listed in
``PGSCHEMAS_RESOLVERS`` in turn (default: ``HostResolver`` alone) and takes the first route
found; none found is a 404. To route by a header, the session or a path prefix, subclass
``Resolver`` and list it there (see docs/tenancy.md).
"""

from dataclasses import dataclass, replace
from functools import cache

from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from .. import app_settings
from ..config import get_tenants_config
from ..names import HOST_NAME_PATTERN, normalize_host
from ..schema import Schema, StaticSchema
from .host_map import host_map


@dataclass(frozen=True)
class Route:
    """Where a request goes: the schema to activate, its URLconf, and which resolver matched;
    ``moved_to``: the host that now serves it, when the request's host is a former domain."""

    schema: Schema
    urlconf: str | None
    matched_by: str
    moved_to: str | None = None


class Resolver:
    """Turns a request into a ``Route``, or None when it does not apply to this request."""

    name = "resolver"

    def resolve(self, request: HttpRequest) -> Route | None:
        raise NotImplementedError

    def route(self, schema: Schema) -> Route:
        """The route to ``schema`` with the URLconf its kind is served with."""
        return Route(schema=schema, urlconf=schema.urlconf, matched_by=self.name)


class HostResolver(Resolver):
    """The static tenant (settings) or dynamic tenant (host map) whose domain is the host."""

    name = "host"

    def resolve(self, request: HttpRequest) -> Route | None:
        return self.resolve_host(normalize_host(request.get_host()))

    def resolve_host(self, host: str) -> Route | None:
        schema = schema_for_host(host)
        if schema is None:
            return None
        route = self.route(schema)
        redirect = host_map().redirect_for(host) if schema.is_dynamic else None
        if redirect is None:
            return route
        if redirect.until <= timezone.now():
            return None  # a former domain past its redirect period is served no more
        return replace(route, moved_to=redirect.to)


def schema_for_host(host: str) -> Schema | None:
    """The schema served at ``host``: no query, except the host map's check for changes at most
    every ``PGSCHEMAS_ROUTING_CHECK_SECONDS`` and one lookup the first time a host is seen."""
    host = normalize_host(host)
    static = get_tenants_config().static_by_domain.get(host)
    if static is not None:
        return StaticSchema(static.name)
    if not HOST_NAME_PATTERN.fullmatch(host):
        return None
    return host_map().tenant_for(host)


@cache
def resolvers(paths: tuple[str, ...]) -> tuple[Resolver, ...]:
    return tuple(import_string(path)() for path in paths)


def resolve(request: HttpRequest) -> Route | None:
    """The first route that a configured resolver finds for the request."""
    for resolver in resolvers(app_settings.resolver_paths()):
        route = resolver.resolve(request)
        if route is not None:
            return route
    return None

"""The API host (``API_HOST``, e.g. api.example.com): one address for every workspace's API,
the workspace chosen by the key itself, whose first part names its schema.

Listed before the host resolver in ``PGSCHEMAS_RESOLVERS``. It routes only to a customer's
schema (``tenant_named`` finds no public or static schema), with the API's URLconf alone; the
key is then checked in that schema like on the workspace's own host. A request on the API host
whose key names no workspace is routed nowhere: 404.
"""

from django.conf import settings
from django.http import HttpRequest

from pgschemas.lookup import tenant_named
from pgschemas.names import normalize_host
from pgschemas.routing.resolvers import Resolver, Route

from .keys import workspace_named_by
from .middleware import bearer_key

URLCONF = "tenant_app.api.host_urls"


class ApiHostResolver(Resolver):
    name = "api-host"

    def resolve(self, request: HttpRequest) -> Route | None:
        if not settings.API_HOST or normalize_host(request.get_host()) != settings.API_HOST:
            return None
        schema_name = workspace_named_by(bearer_key(request) or "")
        tenant = tenant_named(schema_name) if schema_name else None  # one indexed query
        if tenant is None:
            return None
        return Route(schema=tenant, urlconf=URLCONF, matched_by=self.name)

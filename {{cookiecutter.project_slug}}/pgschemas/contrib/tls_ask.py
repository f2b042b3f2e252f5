"""``/.well-known/tls-ask?domain=<host>``: may the proxy get a TLS certificate for this host?

A proxy that obtains certificates on demand (Caddy's ``on_demand_tls``, docs/domains.md) asks
before each new host name it sees: 200 lets it, anything else refuses, so nobody can make it
request certificates for names we do not serve. Answered before routing, on every host, from the
host map (no query beyond its own change check): 200 for a static tenant's domain and for a
dynamic tenant's domain (its sub-domains, its verified custom domains, a former domain still in
its redirect period) unless the tenant is pending deletion; 404 otherwise.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

from ..names import normalize_host
from ..routing.resolvers import HostResolver
from ..states import Status

TLS_ASK_PATH = "/.well-known/tls-ask"


@sync_and_async_middleware
def tls_ask_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Answer ``TLS_ASK_PATH`` before routing; other requests pass straight through."""
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            if request.path == TLS_ASK_PATH:
                return await sync_to_async(tls_ask_response)(request)
            response: Awaitable[HttpResponse] = get_response(request)
            return await response

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        return tls_ask_response(request) if request.path == TLS_ASK_PATH else get_response(request)

    return middleware


def may_have_certificate(host: str) -> bool:
    route = HostResolver().resolve_host(normalize_host(host))
    return route is not None and route.schema.status != Status.PENDING_DELETION


def tls_ask_response(request: HttpRequest) -> HttpResponse:
    allowed = may_have_certificate(request.GET.get("domain", ""))
    return HttpResponse(
        "ok\n" if allowed else "not served here\n",
        status=200 if allowed else 404,
        content_type="text/plain; charset=utf-8",
    )

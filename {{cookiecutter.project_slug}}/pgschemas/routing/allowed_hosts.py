"""``ALLOWED_HOSTS`` that admits the hosts the routing serves, without a wildcard.

A tenant's custom domain (any host name its owner verified) cannot be listed in the settings
ahead of time, and Django checks a request's host only by iterating over ``ALLOWED_HOSTS``: there
is no other seam. So ``routed_hosts_middleware`` (first in ``MIDDLEWARE``, before anything that
reads the host) records the host each request asks for, and ``RoutedHosts`` yields the configured
patterns, then that host if the routing serves it (``schema_for_host``: the host map, no query
beyond its own). The check costs a dict lookup however many custom domains there are; a host
nobody serves is refused as before (400), and outside a request only the configured patterns
count.
"""

from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

from ..names import normalize_host
from .resolvers import schema_for_host

_asked_host: ContextVar[str] = ContextVar("pgschemas_asked_host", default="")


class RoutedHosts(list[str]):
    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = _asked_host.get()
        if host and schema_for_host(host) is not None:
            yield host


def asked_host(request: HttpRequest) -> str:
    """The host ``request`` asks for, not yet validated (Django's own reading of it)."""
    return normalize_host(request._get_raw_host())  # type: ignore[attr-defined]


@sync_and_async_middleware
def routed_hosts_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Record the host asked for while the request is served, for ``RoutedHosts``."""
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            token = _asked_host.set(asked_host(request))
            try:
                response: Awaitable[HttpResponse] = get_response(request)
                return await response
            finally:
                _asked_host.reset(token)

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        token = _asked_host.set(asked_host(request))
        try:
            response: HttpResponse = get_response(request)
            return response
        finally:
            _asked_host.reset(token)

    return middleware

"""``ALLOWED_HOSTS`` that admits the hosts the routing serves, without a wildcard.

A tenant's custom domain (any host name its owner verified) cannot be listed in the settings
ahead of time, and Django checks a request's host only by iterating over ``ALLOWED_HOSTS``: there
is no other seam. So ``TenantMainMiddleware`` records the host each request asks for
(``remember_host``), and ``RoutedHosts`` yields the configured patterns, then that host if the
routing serves it (``schema_for_host``: the host map, no query beyond its own). The check costs a
dict lookup however many custom domains there are; a host nobody serves is refused as before
(400), and outside a request only the configured patterns count.
"""

from collections.abc import Iterator
from contextvars import ContextVar, Token

from django.http import HttpRequest

from ..names import normalize_host
from .resolvers import schema_for_host

_asked_host: ContextVar[str] = ContextVar("pgschemas_asked_host", default="")


def remember_host(request: HttpRequest) -> Token[str]:
    """Record the host ``request`` asks for (not yet validated) until ``forget_host``."""
    return _asked_host.set(normalize_host(request._get_raw_host()))  # type: ignore[attr-defined]


def forget_host(token: Token[str]) -> None:
    _asked_host.reset(token)


class RoutedHosts(list[str]):
    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = _asked_host.get()
        if host and schema_for_host(host) is not None:
            yield host

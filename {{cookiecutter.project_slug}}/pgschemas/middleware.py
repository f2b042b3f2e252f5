from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, StreamingHttpResponse

from .routing.gate import refusal
from .routing.resolvers import Route, resolve
from .schema import Schema, activate, deactivate


class TenantMainMiddleware:
    """Serve each request from the schema its route names (by default, its host's); a request
    that no resolver routes (an unknown host) gets a 404, and one routed to a tenant that is not
    active gets its state's page (pgschemas.routing.gate) before any of its code runs.

    The schema is active for the rest of the request only: it is reset when the response has
    been produced, so nothing leaks into the next request on this thread or task. A streaming
    body runs later, when the server sends it: each of its chunks is made in the schema too.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        route = resolve(request)
        if route is None:
            return unknown_host(request)
        refused = refusal(request, route)
        if refused is not None:
            return refused
        token = activate(enter(request, route))
        try:
            return stream_in_schema(self.get_response(request), route.schema)
        finally:
            deactivate(token)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        route = await sync_to_async(resolve)(request)
        if route is None:
            return unknown_host(request)
        refused = refusal(request, route)  # no query: the state came with the route
        if refused is not None:
            return refused
        token = activate(enter(request, route))
        try:
            response = await cast(Awaitable[HttpResponse], self.get_response(request))
            return stream_in_schema(response, route.schema)
        finally:
            deactivate(token)


def enter(request: HttpRequest, route: Route) -> Schema:
    """Record the route on the request (``request.tenant``, its URLconf); the schema to activate."""
    request.tenant = route.schema  # type: ignore[attr-defined]
    request.route = route  # type: ignore[attr-defined]
    request.urlconf = route.urlconf
    return route.schema


def stream_in_schema(response: HttpResponse, schema: Schema) -> HttpResponse:
    """Make a streaming body's chunks in ``schema``: they are made after the view returned."""
    if isinstance(response, StreamingHttpResponse):
        if response.is_async:
            response.streaming_content = _async_chunks_in(response.streaming_content, schema)
        else:
            response.streaming_content = _chunks_in(response.streaming_content, schema)
    return response


def _chunks_in(chunks: Iterable[bytes], schema: Schema) -> Iterator[bytes]:
    iterator = iter(chunks)
    while True:
        token = activate(schema)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            deactivate(token)
        yield chunk


async def _async_chunks_in(chunks: AsyncIterator[bytes], schema: Schema) -> AsyncIterator[bytes]:
    iterator = aiter(chunks)
    while True:
        token = activate(schema)
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            return
        finally:
            deactivate(token)
        yield chunk


def unknown_host(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound(
        "No site is served at this address.", content_type="text/plain; charset=utf-8"
    )

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from .hosts import schema_for_host
from .schema import Schema, activate, deactivate


class TenantMainMiddleware:
    """Serve each request from the schema of its host; unknown hosts get a 404.

    The schema is active for the rest of the request only: it is reset when the response has
    been produced, so nothing leaks into the next request on this thread or task.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self._acall(request)
        schema = schema_for_host(request.get_host())
        if schema is None:
            return unknown_host(request)
        token = activate(route(request, schema))
        try:
            return self.get_response(request)
        finally:
            deactivate(token)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        schema = await sync_to_async(schema_for_host)(request.get_host())
        if schema is None:
            return unknown_host(request)
        token = activate(route(request, schema))
        try:
            return await self.get_response(request)
        finally:
            deactivate(token)


def route(request: HttpRequest, schema: Schema) -> Schema:
    request.tenant = schema
    request.urlconf = schema.urlconf
    return schema


def unknown_host(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound(
        "No site is served at this address.", content_type="text/plain; charset=utf-8"
    )

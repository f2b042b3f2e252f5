"""``/healthz`` for load balancers: answered before routing, on every host, known or not."""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.db import Error, connection
from django.http import HttpRequest, HttpResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` with 200 when the database answers, 503 when it does not.

    It comes before ``TenantMainMiddleware`` and never reads the Host header, so a load balancer
    can probe any address (its own IP included) without being in ``ALLOWED_HOSTS``. Nothing of a
    tenant is read: the query runs in the public schema.
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
        if request.path == HEALTH_PATH:
            return health_response()
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return await sync_to_async(health_response)()
        return await self.get_response(request)


def health_response() -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error:  # cannot connect, or a broken connection
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

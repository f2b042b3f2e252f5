"""``/healthz`` for load balancers: answered before routing, on every host, known or not."""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.db import Error, connection
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

HEALTH_PATH = "/healthz"


@sync_and_async_middleware
def health_check_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Answer ``GET /healthz`` with 200 when the database answers, 503 when it does not.

    It comes before ``TenantMainMiddleware`` and never reads the Host header, so a load balancer
    can probe any address (its own IP included) without being in ``ALLOWED_HOSTS``. Nothing of a
    tenant is read: the query runs in the public schema. Other requests pass straight through,
    without a thread switch under ASGI.
    """
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            if request.path == HEALTH_PATH:
                return await sync_to_async(health_response)()
            response: Awaitable[HttpResponse] = get_response(request)
            return await response

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        return health_response() if request.path == HEALTH_PATH else get_response(request)

    return middleware


def health_response() -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error:  # cannot connect, or a broken connection
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

"""``/healthz`` for load balancers: answered before routing, on every host, known or not."""

from django.db import Error, connection
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware(MiddlewareMixin):
    """Answer ``GET /healthz`` with 200 when the database answers, 503 when it does not.

    It comes before ``TenantMainMiddleware`` and never reads the Host header, so a load balancer
    can probe any address (its own IP included) without being in ``ALLOWED_HOSTS``. Nothing of a
    tenant is read: the query runs in the public schema. Works under WSGI and ASGI alike.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        return health_response() if request.path == HEALTH_PATH else None


def health_response() -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error:  # cannot connect, or a broken connection
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

"""The API's edge, on every host, before any view:

- ``Authorization: Bearer <key>`` is checked: a key opens only the API of the workspace it was
  made in. Anywhere else (another workspace, www, the blog, any path) and when unknown or
  revoked, the request is refused with 401 and the API's error body (429 once the client
  address has sent too many requests without valid credentials);
- an API request of a key or member gets its ``X-RateLimit-*`` headers (of the limit nearest to
  refusing it: its key's per minute, or its workspace's per day) and is counted in the
  workspace's usage.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .errors import invalid_key_response, throttled_response
from .keys import InvalidApiKey, key_for
from .throttling import Window, count_anonymous
from .usage import record_request


def bearer_key(request: HttpRequest) -> str | None:
    """The key of an ``Authorization: Bearer`` header ("" when empty), or None without one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


class ApiMiddleware:
    """Place it after ``TenantMainMiddleware``: it needs ``request.tenant``. Sets
    ``request.api_key`` for a valid key, which the API's authentication takes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = bearer_key(request)
        if key is not None:
            try:
                request.api_key = key_for(key, request.tenant)  # type: ignore[attr-defined]
            except InvalidApiKey:
                window = count_anonymous(request)
                if not window.allowed:
                    return throttled_response(window.wait())
                return invalid_key_response()
        response = self.get_response(request)
        window: Window | None = getattr(request, "rate_limit", None)  # set by KeyThrottle
        if window is not None:
            headed = nearest_limit(window, getattr(request, "day_limit", None))
            response["X-RateLimit-Limit"] = str(headed.limit)
            response["X-RateLimit-Remaining"] = str(headed.remaining)
            response["X-RateLimit-Reset"] = str(headed.resets_at)
            record_request(getattr(request, "api_key", None))
        return response


def nearest_limit(key: Window, day: Window | None) -> Window:
    """The window the X-RateLimit-* headers describe: the key's, or the plan's day (set by
    PlanDayThrottle) once it has less left (the later reset on a tie)."""
    if day is None or (key.remaining, -key.resets_at) < (day.remaining, -day.resets_at):
        return key
    return day

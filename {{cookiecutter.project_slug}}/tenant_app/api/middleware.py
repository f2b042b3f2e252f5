"""``Authorization: Bearer <key>`` checked on every host, before any view: a key opens only the
API of the workspace it was made in. Anywhere else (another workspace, www, the blog, any path)
and when unknown or revoked, the request is refused with 401 and the API's error body."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .errors import invalid_key_response
from .keys import InvalidApiKey, key_for


def bearer_key(request: HttpRequest) -> str | None:
    """The key of an ``Authorization: Bearer`` header ("" when empty), or None without one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


class ApiKeyMiddleware:
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
                return invalid_key_response()
        return self.get_response(request)

"""One error body for every API error, whoever raises it (a view, DRF, the key middleware;
handler.py turns DRF's errors into it):

    {"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...}}}

``fields`` only for invalid input: each field's messages (``non_field_errors`` for the rest).
"""

from typing import Any

from django.http import JsonResponse
from rest_framework.exceptions import Throttled

INVALID_KEY = "The API key is not valid for this workspace, or was revoked."
INVALID_KEY_CODE = "invalid_api_key"
AUTHENTICATE_HEADER = 'Bearer realm="api"'
INVALID_INPUT = "The request has invalid fields: see fields."


def error_body(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def invalid_key_response() -> JsonResponse:
    """What a refused key gets, on any host and path: the same as from the API's own views."""
    response = JsonResponse(error_body(401, INVALID_KEY_CODE, INVALID_KEY), status=401)
    response["WWW-Authenticate"] = AUTHENTICATE_HEADER
    return response


def throttled_response(wait: float) -> JsonResponse:
    """What DRF answers when a throttle refuses (exception_handler), for the middleware."""
    refusal = Throttled(wait)
    response = JsonResponse(error_body(429, "throttled", str(refusal.detail)), status=429)
    response["Retry-After"] = str(refusal.wait)
    return response

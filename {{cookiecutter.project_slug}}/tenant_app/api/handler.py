"""``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: DRF's errors in the API's error body (errors.py).

Apart from errors.py: DRF loads the authentication classes while importing its views module,
which this one imports.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import INVALID_INPUT, error_body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with the API's error body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = error_body(response.status_code, "invalid", INVALID_INPUT, fields)
    else:
        code = exc.get_codes()
        response.data = error_body(
            response.status_code, code if isinstance(code, str) else "error", str(exc.detail)
        )
    return response

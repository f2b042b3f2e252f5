from typing import TYPE_CHECKING

from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from ..models import ApiKey
from .throttling import count_anonymous

if TYPE_CHECKING:  # DRF imports this module while importing its views module
    from rest_framework.views import APIView


class KeyScope(BasePermission):
    """A read key reads only: any other method is 403. Listed last; the refusal is counted and
    limited like any request (DRF checks its throttles after the permissions): 429 once over."""

    message = "This API key may only read: writing needs a read-write key."
    code = "read_only_key"

    def has_permission(self, request: Request, view: "APIView") -> bool:
        key = request.auth
        if not isinstance(key, ApiKey) or key.can_write or request.method in SAFE_METHODS:
            return True
        view.check_throttles(request)
        return False


class AnonymousLimit(BasePermission):
    """Listed first: DRF checks permissions before its throttles, so a request without valid
    credentials would never be counted. Over the limit it is 429, not 401."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not request.user.is_authenticated:
            window = count_anonymous(request._request)
            if not window.allowed:
                raise Throttled(window.wait())
        return True

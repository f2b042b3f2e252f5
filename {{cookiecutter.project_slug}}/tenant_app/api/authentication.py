"""Who calls the API: a workspace's key (checked by ApiMiddleware) or a logged-in member
(DRF's session authentication, with CSRF)."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from ..models import ApiKey
from .errors import AUTHENTICATE_HEADER, INVALID_KEY, INVALID_KEY_CODE
from .middleware import bearer_key


class KeyHolder:
    """``request.user`` of a request made with a key: the workspace's key, not a person. It is
    no owner: keys never manage members or keys."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_owner = False
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key

    def __str__(self) -> str:
        return f"API key {self.key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    """``request.auth`` is the ApiKey. Listed first: an anonymous request gets 401 and
    ``WWW-Authenticate: Bearer``."""

    def authenticate(self, request: Request) -> tuple[KeyHolder, ApiKey] | None:
        if bearer_key(request._request) is None:
            return None
        key = getattr(request._request, "api_key", None)
        if key is None:  # ApiMiddleware is missing: refuse rather than trust the header
            raise AuthenticationFailed(INVALID_KEY, code=INVALID_KEY_CODE)
        return KeyHolder(key), key

    def authenticate_header(self, request: Request) -> str:
        return AUTHENTICATE_HEADER

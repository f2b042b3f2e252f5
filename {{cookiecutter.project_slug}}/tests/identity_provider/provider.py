"""Who is logged in at the tests' identity provider, and the claims it gives about them."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from oauth2_provider.oauth2_validators import OAuth2Validator

from . import VERIFIED


class LoggedInByCookie:
    """The person logged in at the provider is the user named by the ``idp_user`` cookie (the
    test's stand-in for the provider's own log-in page and session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        email = request.COOKIES.get("idp_user", "")
        user = get_user_model().objects.filter(username=email).first() if email else None
        request.user = user or AnonymousUser()
        return self.get_response(request)


class Validator(OAuth2Validator):
    """The ``email`` scope's claims, in the ID token and at the userinfo endpoint."""

    def get_additional_claims(self, request: Any) -> dict[str, object]:
        user = request.user
        return {"email": user.email, "email_verified": user.groups.filter(name=VERIFIED).exists()}

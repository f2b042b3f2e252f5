"""Two-factor where it is required: a member of a workspace whose owners require it
(tenant_app.WorkspaceSecurity), and www's staff (operators) when OPERATORS_REQUIRE_TWO_FACTOR.
Such a person without an authenticator (an authenticator app or a passkey) is sent to set one up
before any other page; only the two-factor pages, re-authentication and log-out stay open. An
operator's support session (tenant_app/support.py) is not asked."""

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tenant_app import support
from tenant_app.models import WorkspaceSecurity

OPEN_PAGES = frozenset({"account_logout", "account_reauthenticate"})
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)  # recovery codes back them up


def two_factor_required(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or support.current(request):
        return False  # an operator's support session: the operator has two-factor on www
    tenant = request.tenant  # type: ignore[attr-defined]
    if tenant.is_dynamic:
        return WorkspaceSecurity.load().require_two_factor
    return tenant.schema_name == "www" and user.is_staff and settings.OPERATORS_REQUIRE_TWO_FACTOR


def has_two_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTORS).exists()


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        name = request.resolver_match.url_name if request.resolver_match else ""
        if name and (name.startswith("mfa_") or name in OPEN_PAGES):
            return None
        if not two_factor_required(request) or has_two_factor(request.user):
            return None
        messages.info(request, "Set up two-factor authentication to continue.", fail_silently=True)
        return redirect("mfa_index")

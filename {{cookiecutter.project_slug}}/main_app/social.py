"""Social log-in on www ("Continue with Google / GitHub"): one callback URL on www for the whole
product, whatever the number of workspaces.

After the provider's callback nobody is logged in on www: the addresses the provider vouches for
(verified) are kept in the session for a few minutes (``remember``), and the person picks among
the workspaces where one of them is a member (the "find my workspace" index,
shared_app.WorkspaceAccount), or creates a new workspace without a password. The workspace is
then reached with the signed single-use hand-over token of the sign-up (tenant_app/tokens.py).

The social apps of www come from settings (``SOCIALACCOUNT_PROVIDERS``); a workspace's single
sign-on is a database row in its schema (tenant_app/sso.py): each host sees only its own kind.
"""

import time
from dataclasses import dataclass
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from pgschemas.states import Status
from shared_app.models import Client, WorkspaceAccount
from tenant_app.models import WorkspaceSecurity
from tenant_app.sso import WorkspaceSocialAccountAdapter
from tenant_app.tokens import make_handover_token

SESSION_KEY = "social_identity"
IDENTITY_SECONDS = 10 * 60  # to pick a workspace or create one after the provider's callback


@dataclass(frozen=True)
class SocialIdentity:
    provider: str
    emails: list[str]  # verified by the provider, lower-case


class HandOverRefused(Exception):
    """The address is no member of that workspace (any more), or the workspace is not open."""


def remember(request: HttpRequest, sociallogin: SocialLogin) -> None:
    emails = sorted({a.email.lower() for a in sociallogin.email_addresses if a.verified})
    if not emails:
        context = {"provider": sociallogin.provider.name}
        raise ImmediateHttpResponse(
            render(request, "main_app/social_unverified.html", context, status=403)
        )
    request.session[SESSION_KEY] = {
        "provider": sociallogin.provider.name,
        "emails": emails,
        "at": time.time(),
    }


def identity(request: HttpRequest) -> SocialIdentity | None:
    """The identity the provider vouched for in this session, while it is recent."""
    data = request.session.get(SESSION_KEY)
    if not data or time.time() - data["at"] > IDENTITY_SECONDS:
        return None
    return SocialIdentity(data["provider"], data["emails"])


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def workspaces_of(person: SocialIdentity) -> QuerySet[WorkspaceAccount]:
    accounts = WorkspaceAccount.objects.filter(
        email__in=person.emails, tenant__status=Status.ACTIVE
    )
    return accounts.select_related("tenant").order_by("tenant__name", "tenant_id")


def hand_over_url(person: SocialIdentity, tenant_id: int) -> str:
    """Where the person goes to enter the chosen workspace: its hand-over link (logged in
    there, once), or its log-in page when the member must show more than this provider's word
    (two-factor set up, or a workspace that logs members in with its single sign-on only)."""
    account = workspaces_of(person).filter(tenant_id=tenant_id).first()
    if account is None:
        raise HandOverRefused("None of your addresses is a member of that workspace.")
    workspace: Client = account.tenant
    with workspace:
        member = get_user_model().objects.get(pk=account.user_id)
        if Authenticator.objects.filter(user=member).exists() or (
            WorkspaceSecurity.load().sso_only and not member.is_owner
        ):
            return workspace.url("/accounts/login/")
    return workspace.url(f"/welcome/{make_handover_token(workspace, account.user_id)}/")


class SocialAccountAdapter(WorkspaceSocialAccountAdapter):
    """Workspaces: their single sign-on (tenant_app/sso.py). www: social log-in, which logs
    nobody in on www but leads to the workspace picker or the sign-up."""

    def list_apps(
        self, request: HttpRequest | None, provider: Any = None, client_id: Any = None
    ) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return apps
        # Database rows are workspaces' identity providers; settings' apps are www's.
        return [app for app in apps if bool(app.pk) == tenant.is_dynamic]

    def get_app(self, request: HttpRequest, provider: Any, client_id: Any = None) -> SocialApp:
        """A provider not set up on this host is a page that does not exist here (allauth's
        OAuth2 views would let SocialApp.DoesNotExist through, a 500)."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("No such log-in provider here.") from None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if request.tenant.is_dynamic:  # type: ignore[attr-defined]
            return super().pre_social_login(request, sociallogin)
        remember(request, sociallogin)
        signup = reverse("social_signup")
        wanted = signup if sociallogin.state.get("next") == signup else reverse("social_pick")
        raise ImmediateHttpResponse(redirect(wanted))

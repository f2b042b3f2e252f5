"""Single sign-on per workspace: the company's OpenID Connect identity provider, one allauth
SocialApp row in the workspace's own schema (so no other workspace can see or use it).

A person logs in through it when the provider vouches for (verifies) their e-mail address: a
member with that log-in address is logged in; anyone else becomes a member only if the address
is of one of the workspace's listed domains (just-in-time membership), else is refused. The
OAuth ``state`` lives in the session, which is per host: a log-in started at one workspace cannot
complete at another, and PKCE binds the code to the browser that asked for it.
"""

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django import forms
from django.db import transaction
from django.http import HttpRequest

from . import audit
from .models import AuditEvent, WorkspaceSecurity

PROVIDER = "openid_connect"
PROVIDER_ID = "sso"  # /accounts/oidc/sso/login/ on each workspace


def identity_provider() -> SocialApp | None:
    return SocialApp.objects.filter(provider=PROVIDER, provider_id=PROVIDER_ID).first()


class SsoForm(forms.Form):
    """The owner's single sign-on settings. The client secret is write-only: never shown again,
    kept when left blank."""

    company = forms.CharField(max_length=40, help_text='Shown as "Continue with <company>".')
    issuer = forms.URLField(
        label="Issuer URL",
        assume_scheme="https",
        help_text="Its discovery document is <issuer>/.well-known/openid-configuration.",
    )
    client_id = forms.CharField(label="Client ID", max_length=191)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored, never shown again. Leave blank to keep the current one.",
    )
    sso_only = forms.BooleanField(
        label=WorkspaceSecurity._meta.get_field("sso_only").verbose_name,
        required=False,
        help_text=WorkspaceSecurity._meta.get_field("sso_only").help_text,
    )
    sso_domains = forms.CharField(
        label=WorkspaceSecurity._meta.get_field("sso_domains").verbose_name,
        max_length=500,
        required=False,
        help_text=WorkspaceSecurity._meta.get_field("sso_domains").help_text,
    )

    def __init__(self, *args: Any, app: SocialApp | None = None, **kwargs: Any) -> None:
        self.app = app
        super().__init__(*args, **kwargs)

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data["client_secret"]
        if not secret and self.app is None:
            raise forms.ValidationError("Give the client secret your identity provider issued.")
        return secret

    @classmethod
    def initial_for(cls, app: SocialApp | None, policy: WorkspaceSecurity) -> dict[str, Any]:
        initial: dict[str, Any] = {"sso_only": policy.sso_only, "sso_domains": policy.sso_domains}
        if app is not None:
            initial |= {
                "company": app.name,
                "issuer": app.settings.get("server_url", ""),
                "client_id": app.client_id,
            }
        return initial


def configure(form: SsoForm, request: HttpRequest) -> SocialApp:
    """Save the identity provider and the policy, and audit it (never the secret)."""
    data = form.cleaned_data
    with transaction.atomic():
        app = form.app or SocialApp(provider=PROVIDER, provider_id=PROVIDER_ID)
        app.name = data["company"]
        app.client_id = data["client_id"]
        if data["client_secret"]:
            app.secret = data["client_secret"]
        app.settings = {"server_url": data["issuer"], "oauth_pkce_enabled": True}
        app.save()
        policy = WorkspaceSecurity.load()
        policy.sso_only = data["sso_only"]
        policy.sso_domains = data["sso_domains"]
        policy.save()
        changed = [name for name in form.changed_data if name != "client_secret"]
        if data["client_secret"]:
            changed.append("client secret")
        audit.record(
            request,
            AuditEvent.Action.SSO_SETTINGS,
            changed=", ".join(changed),
            issuer=data["issuer"],
        )
    return app


class WorkspaceSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """Just-in-time membership: a verified address of a listed domain only."""
        verified = [address.email for address in sociallogin.email_addresses if address.verified]
        policy = WorkspaceSecurity.load()
        return any(policy.joins_from(email) for email in verified)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.role = "member"
        return user

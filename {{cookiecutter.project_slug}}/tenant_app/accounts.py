"""django-allauth as a workspace needs it: no open sign-up, one person per address, a log-in
address changed only once the new one is confirmed, failed log-ins counted per client, links in
e-mails on the workspace's own domain, ``next=`` kept on the workspace's host."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import AddEmailForm, ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.account.views import EmailView, LoginView
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import WorkspaceSecurity
from .sso import identity_provider


@dataclass(frozen=True)
class WorkspaceSite:
    """What allauth's e-mails call ``current_site``: the workspace, not the request's host."""

    name: str
    domain: str


class WorkspaceAccountAdapter(DefaultAccountAdapter):
    """People join a workspace by invitation (tenant_app.views), never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_safe_url(self, url: str | None) -> bool:
        """``next=`` after log-in or log-out stays on this workspace's host.

        allauth also accepts every host of ``ALLOWED_HOSTS`` (``.example.com``: any customer's
        sub-domain, a workspace anyone can create) and of ``CSRF_TRUSTED_ORIGINS``.
        """
        request = self.request
        return url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """On www only operators log in (customers log in to their workspace): to the console."""
        if not request.tenant.is_dynamic:
            return reverse("console")
        return super().get_login_redirect_url(request)

    def format_email_subject(self, subject: str) -> str:
        workspace = self.request.tenant
        if not workspace.is_dynamic:
            return super().format_email_subject(subject)
        return f"[{workspace.name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth builds its links (``*_url``) and site name from the request's Host header,
        port included, which the client chooses: rebuild them on the workspace's primary domain
        with the configured scheme and port (``Client.url``)."""
        workspace = self.request.tenant
        if not workspace.is_dynamic:  # www: no workspace to link to
            return super().send_mail(template_prefix, email, context)
        links = {
            key: workspace.url(urlunsplit(("", "", *urlsplit(value)[2:])))
            for key, value in context.items()
            if key.endswith("_url") and isinstance(value, str)
        }
        site = WorkspaceSite(name=workspace.name, domain=workspace.primary_domain)
        super().send_mail(template_prefix, email, {**context, **links, "current_site": site})

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        """A password log-in, refused to members of a workspace that uses single sign-on only
        (its owners keep theirs: a broken identity provider must not lock everyone out)."""
        user = super().authenticate(request, **credentials)
        if (
            user is not None
            and not user.is_owner
            and request.tenant.is_dynamic
            and WorkspaceSecurity.load().sso_only
            and identity_provider() is not None
        ):
            raise ValidationError("This workspace logs in with single sign-on only.")
        return user

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Count failed log-ins per client address and account, not per account alone: else
        anyone could lock the owner out with five wrong passwords (allauth's default key)."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{self.get_client_ip(request)}:{account}"


def record_login_address(user: Any) -> None:
    """Record a log-in address that allauth does not know yet (set by the sign-up, an invitation
    link or the admin) as confirmed and primary, as allauth's change flow expects: else it takes
    it for a pending change and drops it when a new one is asked for. An address allauth knows
    keeps its own state (with ACCOUNT_EMAIL_VERIFICATION on, it may await its link)."""
    EmailAddress.objects.get_or_create(
        user=user, email=user.email.lower(), defaults={"primary": True, "verified": True}
    )


class WorkspaceAddEmailForm(AddEmailForm):
    """allauth's form for a new log-in address, refusing another member's (their log-in address
    or a confirmed one): an address belongs to one person in a workspace."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        others = get_user_model().objects.exclude(pk=self.user.pk)  # type: ignore[union-attr]
        if (
            others.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(
                user__in=others, email__iexact=email, verified=True
            ).exists()
        ):
            raise ValidationError("This address belongs to another member of this workspace.")
        return super().clean_email()


class WorkspaceResetPasswordForm(ResetPasswordForm):
    """allauth's password reset, sending a link only to a member's log-in address: never to an
    address still awaiting its confirmation (a change that member asked for)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [user for user in self.users if user.email.lower() == email.lower()]
        return email


class ChangeEmailView(EmailView):
    """allauth's e-mail page (ACCOUNT_CHANGE_EMAIL) without "make primary": a new address
    replaces the log-in address when its link is confirmed, never before."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record_login_address(request.user)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "action_primary" in request.POST:
            return HttpResponseRedirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


class WorkspaceLoginView(LoginView):
    """allauth's log-in page with the workspace's single sign-on: "Continue with <company>"."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity_provider"] = identity_provider()
        context["sso_only"] = WorkspaceSecurity.load().sso_only
        return context

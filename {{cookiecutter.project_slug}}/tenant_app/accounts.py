"""django-allauth as a workspace needs it: no open sign-up, one person per address, a log-in
address changed only once the new one is confirmed, failed log-ins counted per client."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import AddEmailForm, ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


class WorkspaceAccountAdapter(DefaultAccountAdapter):
    """People join a workspace by invitation (tenant_app.views), never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

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

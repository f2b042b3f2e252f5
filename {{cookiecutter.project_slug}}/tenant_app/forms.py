from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError

from shared_app.models import Client
from shared_app.plans import LimitReached

from .limits import room_for_one_more
from .models import (
    ApiKey,  # >>> include_api <<<
    Invitation,
    Project,
    WorkspaceSecurity,
)


class WithinPlanForm(forms.ModelForm):
    """A form that adds one ``limit`` (shared_app.plans.LIMITS) to ``tenant``, within its plan:
    ``save_within_plan`` checks and saves under the workspace's lock for that limit
    (tenant_app.limits.room_for_one_more); when the plan is full, nothing is saved and the form
    gets the plan's message.
    # >>> include_billing
    ``limit_reached`` is then set, for the page's upgrade link.
    # <<< include_billing
    """

    limit = ""

    def __init__(self, *args: Any, tenant: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.limit_reached = False  # >>> include_billing <<<

    def save_within_plan(self, **fields: Any) -> Any:
        """The new object, saved with ``fields`` set on it; None when the plan is full."""
        try:
            with room_for_one_more(self.tenant, self.limit):
                added = self.save(commit=False)
                for name, value in fields.items():
                    setattr(added, name, value)
                added.save()
        except LimitReached as error:
            self.limit_reached = True  # >>> include_billing <<<
            self.add_error(None, ValidationError(str(error), code="limit_reached"))
            return None
        return added


class ProjectForm(WithinPlanForm):
    limit = "projects"

    class Meta:
        model = Project
        fields = ["name", "description"]


class SecurityForm(forms.ModelForm):
    class Meta:
        model = WorkspaceSecurity
        fields = ["require_two_factor", "allow_support_access"]


class InvitationForm(WithinPlanForm):
    limit = "members"

    class Meta:
        model = Invitation
        fields = ["email"]

    def clean(self) -> dict:
        pending = Invitation.objects.filter(accepted_at__isnull=True).count()
        if pending >= settings.MAX_PENDING_INVITATIONS:
            raise ValidationError(
                f"This workspace has {pending} invitations waiting to be accepted: withdraw "
                "some before sending more.",
                code="too_many_pending",
            )
        return super().clean()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(f"{email} is already a member of this workspace.")
        if Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).exists():
            raise ValidationError(f"{email} is already invited.")
        return email


class AcceptInvitationForm(SetPasswordForm):
    """Choose a password to join; the e-mail comes from the invitation."""


class DeleteWorkspaceForm(forms.Form):
    """The owner types the workspace's name to delete it (kept until its purge date)."""

    confirm_name = forms.CharField(label="Type the workspace's name to confirm", max_length=100)
    reason = forms.CharField(
        label="Why are you leaving? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, workspace_name: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace_name = workspace_name

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.workspace_name:
            raise ValidationError(f"Type “{self.workspace_name}” exactly to confirm.")
        return typed


class RenameWorkspaceForm(forms.Form):
    subdomain = forms.CharField(
        label="New sub-domain",
        max_length=63,
        help_text="The old address keeps redirecting here for a while.",
    )


# >>> include_api
class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "scope"]
        help_texts = {"name": "What uses it, e.g. “CI” or “Zapier”."}


# <<< include_api


class CustomDomainForm(forms.Form):
    domain = forms.CharField(
        label="Your domain",
        max_length=253,
        help_text="A host name of your own, e.g. projects.example.com.",
    )

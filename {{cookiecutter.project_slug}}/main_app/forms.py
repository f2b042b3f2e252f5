from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from shared_app.forms import ReasonForm
from shared_app.models import single_line
from tenant_app.support import MAX_MINUTES

from .signup import SubdomainUnavailable, check_subdomain


def check_owner_password(form: forms.Form, email: str) -> None:
    """Django's password validators, as for the owner-to-be with this e-mail address."""
    password = form.cleaned_data.get("password")
    if password:
        try:
            validate_password(password, user=get_user_model()(email=email))
        except ValidationError as error:
            form.add_error("password", error)


class SignupForm(forms.Form):
    """The password is asked here, or on the e-mailed link's page with SIGNUP_EMAIL_VERIFICATION;
    a CAPTCHA field is added when SIGNUP_CAPTCHA_FIELD names one."""

    workspace_name = forms.CharField(max_length=100, help_text="Your team or company.")
    subdomain = forms.CharField(
        max_length=63,
        help_text="Lower-case letters and digits, starting with a letter.",
    )
    email = forms.EmailField(label="Your e-mail")
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.SIGNUP_EMAIL_VERIFICATION:
            del self.fields["password"]
        if settings.SIGNUP_CAPTCHA_FIELD:
            self.fields["captcha"] = import_string(settings.SIGNUP_CAPTCHA_FIELD)()

    def clean_workspace_name(self) -> str:
        name = single_line(self.cleaned_data["workspace_name"])
        if not name:
            raise ValidationError("Enter a name that has letters or digits.", code="blank")
        return name

    def clean_subdomain(self) -> str:
        subdomain = self.cleaned_data["subdomain"].strip().lower()
        try:
            return check_subdomain(subdomain)
        except SubdomainUnavailable as error:
            raise ValidationError(str(error), code="unavailable") from None

    def clean(self) -> dict:
        cleaned = super().clean()
        check_owner_password(self, cleaned.get("email", ""))
        return cleaned


class OwnerPasswordForm(forms.Form):
    """The owner's password, on the page of the e-mailed sign-up link."""

    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, email: str, *args: Any, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        check_owner_password(self, self.email)
        return cleaned


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label="Your e-mail")


class RenameForm(ReasonForm):
    """An operator moves a workspace to another sub-domain (shared_app.renaming)."""

    subdomain = forms.CharField(label="New sub-domain", max_length=63)
    field_order = ["subdomain", "reason"]


class SupportAccessForm(ReasonForm):
    """An operator's support session in a workspace (tenant_app/support.py)."""

    member_email = forms.EmailField(label="Act as the member")
    minutes = forms.IntegerField(
        min_value=1, max_value=MAX_MINUTES, initial=settings.SUPPORT_ACCESS_MINUTES
    )
    read_write = forms.BooleanField(
        label="Read-write",
        required=False,
        help_text="Off: you can look but not change anything. On: needs its own permission.",
    )


class EndSupportForm(ReasonForm):
    """Ending a support session before its time (tenant_app/support.py)."""


class SocialSignupForm(SignupForm):
    """Sign-up after a social log-in: no password (the owner logs in through the provider);
    the e-mail is one the provider verified."""

    def __init__(self, emails: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("password", None)
        self.fields["email"] = forms.ChoiceField(
            label="Your e-mail", choices=[(email, email) for email in emails]
        )

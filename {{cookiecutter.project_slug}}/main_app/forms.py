from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .signup import SubdomainUnavailable, check_subdomain


class SignupForm(forms.Form):
    workspace_name = forms.CharField(max_length=100, help_text="Your team or company.")
    subdomain = forms.CharField(
        max_length=63,
        help_text="Lower-case letters and digits, starting with a letter.",
    )
    email = forms.EmailField(label="Your e-mail")
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean_subdomain(self) -> str:
        subdomain = self.cleaned_data["subdomain"].strip().lower()
        try:
            return check_subdomain(subdomain)
        except SubdomainUnavailable as error:
            raise ValidationError(str(error), code="unavailable") from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("password"):
            owner = get_user_model()(email=cleaned.get("email", ""))
            try:
                validate_password(cleaned["password"], user=owner)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label="Your e-mail")

"""The log-in of every admin site (each workspace's and the operator admin on www), checked by
django-allauth like the product's log-in page: the same rate limits and the same failure counts
(a try on one counts on the other), and one password hash per try, right or wrong. An account
with two-factor is sent to the log-in page, which asks for the second factor."""

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.decorators import rate_limit
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            # Raises "too many failed log-in attempts" (ACCOUNT_RATE_LIMITS["login_failed"]).
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, email=email, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            if is_mfa_enabled(self.user_cache):
                # This form checks the password only: the log-in page asks for the second factor.
                raise ValidationError(
                    format_html(
                        'This account uses two-factor: <a href="{}?next={}">log in here</a>.',
                        reverse("account_login"),
                        reverse("admin:index", current_app=self.request.resolver_match.namespace),
                    ),
                    code="two_factor",
                )
        return self.cleaned_data


class RateLimitedAdminSite(AdminSite):
    login_form = AdminLoginForm

    @method_decorator(rate_limit(action="login"))
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().login(request, extra_context)

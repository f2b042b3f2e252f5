"""The log-in of every admin site (each workspace's and the operator admin on www), checked by
django-allauth like the product's log-in page: the same rate limits and the same failure counts
(a try on one counts on the other), and one password hash per try, right or wrong."""

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.decorators import rate_limit
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator


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
        return self.cleaned_data


class RateLimitedAdminSite(AdminSite):
    login_form = AdminLoginForm

    @method_decorator(rate_limit(action="login"))
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().login(request, extra_context)

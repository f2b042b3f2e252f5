from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


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

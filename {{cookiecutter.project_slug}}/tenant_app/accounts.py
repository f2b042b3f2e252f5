from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


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

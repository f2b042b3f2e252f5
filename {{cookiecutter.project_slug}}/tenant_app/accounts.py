from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class WorkspaceAccountAdapter(DefaultAccountAdapter):
    """People join a workspace by invitation (tenant_app.views), never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

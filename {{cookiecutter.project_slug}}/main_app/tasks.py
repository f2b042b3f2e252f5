"""Work of the public site done outside the request."""

from django.conf import settings
from django.core.mail import send_mail

from config.celery_app import app
from shared_app.links import workspace_url
from shared_app.models import Domain, WorkspaceAccount

from . import api_usage  # >>> include_api <<<


@app.task(ignore_result=True)
def send_workspace_links(email: str) -> None:
    """E-mail ``email`` a link to each of its workspaces; nothing when it has none.

    "Find my workspace" sends this task for every address, known or not, and does no lookup
    itself: its page takes the same time either way and tells nobody who has an account.
    """
    tenant_ids = WorkspaceAccount.objects.filter(email=email).values("tenant_id")
    domains = Domain.objects.filter(tenant__in=tenant_ids, is_primary=True)
    links = "".join(
        f"{domain.tenant.name}: {workspace_url(domain.domain)}\n"
        for domain in domains.select_related("tenant").order_by("tenant__name")
    )
    if links:
        body = f"{links}\nIf you did not ask for this message, you can ignore it.\n"
        send_mail(f"Your {settings.PROJECT_NAME} workspaces", body, None, [email])


# >>> include_api
@app.task(ignore_result=True)
def roll_up_api_usage(days: int = 2) -> None:
    """Every workspace's API requests of the last ``days`` days, into public (api_usage.py)."""
    api_usage.roll_up_api_usage(days)


# <<< include_api

"""Each workspace's API usage (in its schema) rolled up into public, where the operator sees
every workspace's at once (the operator console and admin, WorkspaceApiUsage)."""

from datetime import date, timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone

from shared_app.models import Client, WorkspaceApiUsage
from tenant_app.api.usage import recent_usage


def roll_up_api_usage(days: int = 2) -> int:
    """Copy the requests of the last ``days`` days (UTC, today included) of every workspace into
    public, counts still in the cache included; return how many rows were written. Three queries
    per workspace: run it periodically (``CELERY_BEAT_SCHEDULE``), not per request."""
    rows = []
    for tenant in Client.objects.order_by("pk").iterator(chunk_size=500):
        with tenant:
            totals = recent_usage(days).values("day").annotate(requests=Sum("requests")).order_by()
            rows += [WorkspaceApiUsage(tenant=tenant, **total) for total in totals]
    WorkspaceApiUsage.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["tenant", "day"], update_fields=["requests"]
    )
    return len(rows)


def since(days: int) -> date:
    """The first of the last ``days`` days (UTC), today included."""
    return timezone.now().date() - timedelta(days=days - 1)


def daily_requests(tenant: Client, days: int = 30) -> QuerySet[WorkspaceApiUsage]:
    """The workspace's requests a day in the last ``days`` days, newest first, as last rolled up
    (days without a request have no row)."""
    return tenant.api_usage.filter(day__gte=since(days)).order_by("-day")


def top_workspaces(days: int, count: int = 50) -> QuerySet[Client]:
    """The ``count`` workspaces that made the most API requests in the last ``days`` days, each
    with ``api_requests`` (their sum) and its plan: one query."""
    return (
        Client.objects.filter(api_usage__day__gte=since(days))
        .annotate(api_requests=Sum("api_usage__requests"))
        .select_related("plan")
        .order_by("-api_requests", "pk")[:count]
    )

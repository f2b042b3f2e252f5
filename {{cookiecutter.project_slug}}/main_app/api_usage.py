"""Each workspace's API usage (in its schema) rolled up into public, where the operator sees
every workspace's at once (the operator admin, WorkspaceApiUsage)."""

from django.db.models import Sum

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

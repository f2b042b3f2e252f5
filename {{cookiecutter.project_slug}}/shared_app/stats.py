"""Figures of every workspace for the operator console (shared_app.TenantStats), gathered by the
periodic task ``shared_app.tasks.gather_stats``: the console lists thousands of workspaces from
this table without reading any of their schemas.

Members come from the public index of accounts, sizes from one catalogue query; the last
activity (the latest log-in) is read in each schema, one small query per workspace.
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from .models import Client, TenantStats, WorkspaceAccount

BATCH = 1000
GATHERED = ("members", "size_bytes", "last_activity", "gathered_at")


def schema_sizes() -> dict[str, int]:
    """Bytes on disk of each schema's tables, with their indexes and TOAST data."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, sum(pg_total_relation_size(c.oid))::bigint "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'm') GROUP BY n.nspname"
        )
        return dict(cursor.fetchall())


def gather_stats() -> int:
    """Refresh every workspace's figures; how many workspaces."""
    now = timezone.now()
    sizes = schema_sizes()
    members = dict(
        WorkspaceAccount.objects.values("tenant_id")
        .annotate(count=Count("pk"))
        .values_list("tenant_id", "count")
    )
    rows = []
    for tenant in Client.objects.only("pk", "schema_name").order_by("pk"):
        last = None
        if tenant.schema_name in sizes:  # a schema dropped by hand has no figures to read
            with tenant:
                last = get_user_model().objects.aggregate(last=Max("last_login"))["last"]
        rows.append(
            TenantStats(
                tenant_id=tenant.pk,
                members=members.get(tenant.pk, 0),
                size_bytes=sizes.get(tenant.schema_name, 0),
                last_activity=last,
                gathered_at=now,
            )
        )
    TenantStats.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["tenant"],
        update_fields=GATHERED,
    )
    return len(rows)

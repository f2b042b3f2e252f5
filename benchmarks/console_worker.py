"""Run by console.py inside the baked project: add the workspaces, then time the list page."""

import statistics
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from pgschemas.schema import StaticSchema  # noqa: E402
from shared_app.models import Client, Domain, TenantStats  # noqa: E402
from users.models import User  # noqa: E402

BATCH = 2000
STATUSES = ("active",) * 17 + ("suspended", "maintenance", "pending_deletion")


def add_workspaces(count: int) -> None:
    now = timezone.now()
    for start in range(0, count, BATCH):
        clients = Client.objects.bulk_create(
            Client(schema_name=f"w{n}", name=f"Workspace {n}", status=STATUSES[n % len(STATUSES)])
            for n in range(start, min(start + BATCH, count))
        )
        Domain.objects.bulk_create(
            Domain(
                tenant=c, domain=f"{c.schema_name}.{settings.TENANT_DOMAIN_SUFFIX}", is_primary=True
            )
            for c in clients
        )
        TenantStats.objects.bulk_create(
            TenantStats(
                tenant=c,
                members=c.pk % 40,
                size_bytes=c.pk * 4096,
                last_activity=now,
                gathered_at=now,
            )
            for c in clients
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(http: HttpClient, path: str, repeats: int) -> tuple[float, float, int]:
    http.get(path)  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = http.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        http.get(path)
    return statistics.median(times) * 1000, max(times) * 1000, len(queries)


def main(count: int, repeats: int) -> None:
    add_workspaces(count)
    http = HttpClient(headers={"host": settings.DOMAIN_NAME})
    with StaticSchema("www"):
        http.force_login(User.objects.create_user("ops@example.com", "x", is_staff=True))
    last = (count + 49) // 50
    print(f"{'page':<40} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    for path in (
        "/console/",
        f"/console/?page={last}",
        "/console/?status=suspended",
        "/console/?q=w4242",
        "/console/?q=nothing-matches",
    ):
        median, worst, queries = measure(http, path, repeats)
        print(f"{path:<40} {median:>10.1f} {worst:>10.1f} {queries:>8}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))

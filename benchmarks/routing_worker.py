"""Routing at fleet size: run by run.py --routing in the baked project, on a database whose
public schema holds a few real tenants (t_*) among many rows without schemas (r_*).

Prints one JSON object: the change check's cost (the former one, a scan of the routing tables,
measured on the same rows), the former full reload's time and memory against the compact map's,
a fresh process's first lookup, how long a new and a deleted domain take to reach a process, and
the latency of requests to the real tenants through the whole middleware stack.
"""

import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pgschemas_settings")
django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from pgschemas.routing.changes import read_changes  # noqa: E402
from pgschemas.routing.host_map import HostMap  # noqa: E402
from shared_app.models import Client, Domain  # noqa: E402

CHECKS = 200
REQUESTS = 2000


def mean_ms(work: Callable[[], object], times: int) -> float:
    start = time.perf_counter()
    for _ in range(times):
        work()
    return (time.perf_counter() - start) / times * 1000


def median_ms(work: Callable[[], object], times: int) -> float:
    """The median of ``times`` timed calls (a shared machine stalls some of them)."""
    timings = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def former_check() -> None:
    """The check the host map made before the change log: a scan of each routing table."""
    tables = ["shared_app_domain", "shared_app_client", "shared_app_plan"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"(SELECT (count(*), sum(xmin::text::bigint), max(xmin::text::bigint))::text "
                f"FROM public.{table})"
                for table in tables
            )
        )
        cursor.fetchone()


def allocated(build: Callable[[], Any]) -> tuple[Any, float]:
    """What ``build`` built, and the MB it holds (measured while it is alive)."""
    tracemalloc.start()
    built = build()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return built, size / 2**20


def former_reload() -> list[Domain]:
    """What the host map loaded before: a model instance per domain and per tenant, with plans."""
    return list(Domain.objects.select_related("tenant", "tenant__plan"))


def compact_map() -> HostMap:
    """A map that has served every host once (the worst case), holding the default number of
    tenants: filled directly, as serving each host would."""
    host_map = HostMap()
    host_map.hosts = dict(Domain.objects.values_list("domain", "tenant_id"))
    for tenant in Client.objects.select_related("plan").order_by("-pk")[:5000]:
        host_map.tenants[tenant.pk] = tenant
    return host_map


def until(answer: Callable[[], bool], limit: float = 10.0) -> float:
    start = time.perf_counter()
    while not answer() and time.perf_counter() - start < limit:
        time.sleep(0.005)
    return time.perf_counter() - start


def propagation(real_tenant_id: int) -> dict[str, float]:
    """Seconds until a process that has already been asked for the host serves a new domain,
    and refuses a deleted one, the change made by another connection (another process)."""
    host_map = HostMap()
    host = "new.routing-bench.test"
    host_map.tenant_for(host)  # remembered as unknown
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shared_app_domain (domain, tenant_id, is_primary) VALUES (%s, %s, false)",
            [host, real_tenant_id],
        )
    served = until(lambda: host_map.tenant_for(host) is not None)
    with other.cursor() as cursor:
        cursor.execute("DELETE FROM shared_app_domain WHERE domain = %s", [host])
    refused = until(lambda: host_map.tenant_for(host) is None)
    other.close()
    return {"new_domain_served_s": served, "deleted_domain_refused_s": refused}


def requests(hosts: list[str]) -> dict[str, float]:
    client = HttpClient()
    for host in hosts:
        client.get("/", headers={"host": host})  # warm-up
    timings = []
    for number in range(REQUESTS):
        start = time.perf_counter()
        client.get("/", headers={"host": hosts[number % len(hosts)]})
        timings.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return {"p50_ms": cuts[49], "p99_ms": cuts[98]}


def main() -> None:
    figures: dict[str, Any] = {"tenants": Client.objects.count()}
    host_map = HostMap()
    host_map.refresh()
    figures["check_ms"] = mean_ms(lambda: read_changes(host_map.watermark, host_map.seen), CHECKS)
    figures["former_check_ms"] = mean_ms(former_check, max(CHECKS // 10, 3))
    figures["former_reload_s"] = mean_ms(former_reload, 1) / 1000
    figures["former_map_mb"] = allocated(former_reload)[1]
    figures["compact_map_every_host_s"] = mean_ms(compact_map, 1) / 1000
    figures["compact_map_every_host_mb"] = allocated(compact_map)[1]
    real = list(Domain.objects.filter(tenant__schema_name__startswith="t_"))
    start = time.perf_counter()
    HostMap().tenant_for(real[0].domain)  # a fresh process's first request: check + lookup
    figures["first_lookup_ms"] = (time.perf_counter() - start) * 1000
    figures.update(propagation(real[0].tenant_id))
    figures.update(requests([domain.domain for domain in real]))
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    main()

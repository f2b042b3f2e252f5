"""One side of the benchmarks, in a process of its own inside the baked project (run.py starts it).

    python worker.py setup|pgschemas|session|plain        (cwd: the baked project)

It reads its parameters as the first line of stdin (JSON). "setup" fills the benchmark databases:
PROJECTS rows in each tenant that requests go to (and in the plain database), and prints
{"hosts": [...]}. "pgschemas", "session" and "plain" prepare their workloads under the project's
settings, under them with the session form of the search path, and under plain Django, print
{"ready": true}, then run one workload per line read from stdin ({"benchmark": "queries",
"count": false}) and answer each with a line of JSON: the time per unit, or with "count" the
statements per unit. They exit at the end of stdin.
"""

import importlib.util
import json
import os
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "setup": "pgschemas_settings",
    "pgschemas": "pgschemas_settings",
    "session": "pgschemas_session_settings",
    "plain": "plain_settings",
}
PROJECTS = 20  # rows in each tenant that requests are sent to
BENCH_MEMBER = "member@bench.test"  # pages need a logged-in member of the tenant
SUSTAINED_POOL = 5  # spare schemas while creating tenants one by one: the project's default


@dataclass(frozen=True)
class Workload:
    """``work()`` does ``units`` things (queries, requests, tenants) and returns the seconds the
    timed part took (setting up, such as filling the pool of spares, is not timed)."""

    work: Callable[[], float]
    units: int


def timed(work: Callable[[], None], units: int) -> Workload:
    def run() -> float:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start

    return Workload(run, units)


def main(side: str) -> None:
    parameters = json.loads(sys.stdin.readline())
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    answers, sys.stdout = sys.stdout, sys.stderr  # whatever else is printed stays out of the way
    sys.path[:0] = [str(Path.cwd()), str(HERE)]
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[side]
    import django

    django.setup()
    if side == "setup":
        answer(answers, setup(**parameters))
        return
    workloads = (plain_workloads if side == "plain" else pgschemas_workloads)(**parameters)
    answer(answers, {"ready": True, "workloads": sorted(workloads)})
    for line in sys.stdin:
        command = json.loads(line)
        answer(answers, run(workloads[command["benchmark"]], count=command["count"]))


def answer(answers: TextIO, result: dict[str, Any]) -> None:
    answers.write(json.dumps(result) + "\n")
    answers.flush()


def run(workload: Workload, *, count: bool) -> dict[str, float]:
    """Run a workload once: its time per unit, or with `count` its statements per unit."""
    if count:
        with counting_round_trips() as counter:
            workload.work()
        return {"round_trips": counter.count / workload.units}
    return {"seconds": workload.work() / workload.units}


def exit_on_sigterm(*_: object) -> None:
    """Exit through atexit when stopped, so as to leave the embedded server cleanly."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(128 + signal.SIGTERM)


def setup(*, request_schemas: list[str], domain: str, **_: Any) -> dict[str, Any]:
    """Projects in the tenants that requests go to, and in the plain database."""
    from django.db import connection

    with connection.cursor() as cursor:
        for schema_name in request_schemas:
            cursor.execute(
                f'INSERT INTO "{schema_name}".tenant_app_project (name, description, created_at) '
                "SELECT %s || ' project ' || n, '', now() FROM generate_series(1, %s) n",
                [schema_name, PROJECTS],
            )
        on_a_paid_plan(cursor, request_schemas)
    hosts = [f"{name.replace('_', '-')}.{domain}" for name in request_schemas]
    return {"hosts": hosts}


def on_a_paid_plan(cursor: Any, schema_names: list[str]) -> None:
    """Move the workspaces that requests go to onto the first paid plan, where the bake has plans:
    a bake without billing starts them on the free plan, whose daily API limit the benchmark's
    requests exceed, while a bake with billing starts them on a trial of the paid plan."""
    cursor.execute("SELECT to_regclass('public.shared_app_plan') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return  # a bake from before plans
    cursor.execute(
        "UPDATE public.shared_app_client SET plan_id = ("
        "  SELECT id FROM public.shared_app_plan WHERE NOT is_free ORDER BY position, id LIMIT 1"
        ") WHERE schema_name = ANY(%s)"
        " AND plan_id IN (SELECT id FROM public.shared_app_plan WHERE is_free)",
        [schema_names],
    )


def pgschemas_workloads(
    *, request_schemas: list[str], hosts: list[str], queries: int, requests: int, **sizes: Any
) -> dict[str, Workload]:
    from django.conf import settings
    from django.test import override_settings
    from pgschemas.fleet.spares import refill_spare_schemas
    from shared_app.models import Client, Domain
    from tenant_app.models import Project

    first, second = (Client.objects.get(schema_name=name) for name in request_schemas[:2])
    with first:
        ids = list(Project.objects.values_list("pk", flat=True))

    def one_tenant() -> None:
        with first:
            for number in range(queries):
                Project.objects.filter(pk=ids[number % len(ids)]).exists()

    def switching() -> None:
        tenants = (first, second)
        for number in range(queries):
            with tenants[number % 2]:
                Project.objects.filter(pk=ids[number % len(ids)]).exists()

    created = iter(range(10**9))

    def create_tenant(name: str) -> None:
        tenant = Client.objects.create(schema_name=name, name=name)
        Domain.objects.create(
            tenant=tenant,
            domain=f"{name.replace('_', '-')}.{settings.DOMAIN_NAME}",
            is_primary=True,
        )

    def create_tenants(*, pooled: bool) -> Callable[[], float]:
        def create() -> float:
            if pooled:
                refill_spare_schemas(sizes["creations"])  # not timed: the background's work
            times = []
            for _ in range(sizes["creations"]):
                start = time.perf_counter()
                create_tenant(f"new_{next(created)}")
                times.append(time.perf_counter() - start)
            return statistics.median(times) * len(times)  # the median, as a total

        return create

    def create_one_by_one() -> float:
        """Sign-ups one after the other: each takes a spare and starts a background refill,
        which competes with the next sign-ups; the time runs until the last refill is done."""
        with override_settings(PGSCHEMAS_SPARE_SCHEMAS=SUSTAINED_POOL):
            refill_spare_schemas()  # not timed: the pool is full before sign-ups start
            start = time.perf_counter()
            for _ in range(sizes["sustained"]):
                create_tenant(f"new_{next(created)}")
            for thread in threading.enumerate():
                if thread.name == "pgschemas-refill":
                    thread.join()
            return time.perf_counter() - start

    workloads = {
        "queries": timed(one_tenant, queries),
        "switching": timed(switching, queries),
        "create_pooled": Workload(create_tenants(pooled=True), sizes["creations"]),
        "create_unpooled": Workload(create_tenants(pooled=False), sizes["creations"]),
        "create_sustained": Workload(create_one_by_one, sizes["sustained"]),
    }
    for mix in sizes["mixes"]:
        tenants = [Client.objects.get(schema_name=name) for name in request_schemas[:mix]]
        workloads[f"requests_{mix}"] = timed(get_pages(hosts[:mix], requests, tenants), requests)
        if has_api():
            api = get_api(hosts[:mix], requests, [(tenant, tenant) for tenant in tenants])
            workloads[f"api_{mix}"] = timed(api, requests)
    return workloads


def plain_workloads(
    *, hosts: list[str], queries: int, requests: int, **sizes: Any
) -> dict[str, Workload]:
    """The same work for plain Django, always on its one schema."""
    from plain_workspace import WORKSPACE
    from tenant_app.models import Project

    if not Project.objects.exists():
        Project.objects.bulk_create(Project(name=f"plain project {n}") for n in range(PROJECTS))
    ids = list(Project.objects.values_list("pk", flat=True))

    def one_tenant() -> None:
        for number in range(queries):
            Project.objects.filter(pk=ids[number % len(ids)]).exists()

    def switching() -> None:
        aliases = ("default", "other")
        for number in range(queries):
            Project.objects.using(aliases[number % 2]).filter(pk=ids[number % len(ids)]).exists()

    workloads = {
        "queries": timed(one_tenant, queries),
        "switching": timed(switching, queries),
    }
    for mix in sizes["mixes"]:
        # As many customers as the tenants on the other side, each its own member and session,
        # all in the one schema.
        members = [f"member{number}@bench.test" for number in range(mix)]
        pages = get_pages(hosts[:1] * mix, requests, [nullcontext()] * mix, members)
        workloads[f"requests_{mix}"] = timed(pages, requests)
        if has_api():
            # As many keys, all in the one schema, named after the workspace's stand-in.
            api = get_api(hosts[:1] * mix, requests, [(WORKSPACE, nullcontext())] * mix)
            workloads[f"api_{mix}"] = timed(api, requests)
    return workloads


def has_api() -> bool:
    """Whether the baked project has the API (include_api, and bakes of before it existed)."""
    return importlib.util.find_spec("tenant_app.api") is not None


def get_pages(
    hosts: list[str],
    requests: int,
    tenants: list[AbstractContextManager[Any]],
    members: list[str] | None = None,
) -> Callable[[], None]:
    """GET / `requests` times through the whole middleware stack, cycling through `hosts`, each as
    a member (``members``, default one per tenant) logged in within its tenant (where the user and
    the session live)."""
    from django.contrib.auth import get_user_model
    from django.test import Client as TestClient

    clients = []
    emails = members or [BENCH_MEMBER] * len(hosts)
    for host, tenant, email in zip(hosts, tenants, emails, strict=True):
        client = TestClient(HTTP_HOST=host)
        with tenant:
            member, _ = get_user_model().objects.get_or_create(email=email)
            client.force_login(member)
        response = client.get("/")
        if response.status_code != 200 or " project 1" not in response.content.decode():
            raise SystemExit(f"GET / of {host} did not list its projects: {response}")
        clients.append(client)

    def get() -> None:
        for number in range(requests):
            clients[number % len(clients)].get("/")

    return get


def get_api(
    hosts: list[str], requests: int, workspaces: list[tuple[Any, AbstractContextManager[Any]]]
) -> Callable[[], None]:
    """GET /api/v1/projects/ `requests` times through the whole middleware stack, cycling through
    `hosts`, each with an API key of its own made in its workspace (schema, context to enter)."""
    from django.test import Client as TestClient
    from tenant_app.api.keys import create_key
    from tenant_app.models import ApiKey

    clients = []
    for host, (workspace, schema) in zip(hosts, workspaces, strict=True):
        with schema:
            key = create_key(workspace, ApiKey(name="bench", scope="read"))
        client = TestClient(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.get("/api/v1/projects/")
        if response.status_code != 200 or " project 1" not in response.content.decode():
            raise SystemExit(f"The API of {host} did not list its projects: {response}")
        clients.append(client)

    def get() -> None:
        for number in range(requests):
            clients[number % len(clients)].get("/api/v1/projects/")

    return get


@dataclass
class RoundTrips:
    count: int = 0


@contextmanager
def counting_round_trips() -> Iterator[RoundTrips]:
    """Count every statement sent to the server, the backend's own SET search_path included."""
    from django.db import connections

    counter = RoundTrips()

    def count(execute: Callable[..., Any], *args: Any) -> Any:
        counter.count += 1
        return execute(*args)

    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(count))
        yield counter


if __name__ == "__main__":
    main(sys.argv[1])

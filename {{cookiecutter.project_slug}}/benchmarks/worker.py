"""One side of the benchmarks, in a process of its own (run.py starts it; see there).

    python benchmarks/worker.py setup|pgschemas|plain PARAMETERS_JSON

"setup" creates the tenants in the benchmark database with the project's own code, prints their
hosts as JSON and exits. "pgschemas" and "plain" prepare the same workloads under the project's
settings and under plain Django, print {"ready": true}, then run one workload per line read from
stdin ({"benchmark": "queries", "count": false}) and answer each with a line of JSON: the time per
unit, or with "count" the round trips per unit. They exit at the end of stdin.
"""

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_MEMBER = "member@bench.test"
SETTINGS = {
    "setup": "benchmarks.pgschemas_settings",
    "pgschemas": "benchmarks.pgschemas_settings",
    "plain": "benchmarks.plain_settings",
}

# A workload does `units` things (queries, requests, migrated schemas) each time it is called.
Workload = tuple[Callable[[], None], int]


def main(side: str, parameters: dict[str, Any]) -> None:
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    answers, sys.stdout = sys.stdout, sys.stderr  # whatever else is printed stays out of the way
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[side]
    import django

    django.setup()
    if side == "setup":
        answer(answers, setup(**parameters))
        return
    workloads = (pgschemas_workloads if side == "pgschemas" else plain_workloads)(**parameters)
    answer(answers, {"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        answer(answers, run(workloads[command["benchmark"]], count=command["count"]))


def answer(answers: TextIO, result: dict[str, Any]) -> None:
    answers.write(json.dumps(result) + "\n")
    answers.flush()


def run(workload: Workload, *, count: bool) -> dict[str, float]:
    """Run a workload once: its time per unit, or with `count` its round trips per unit."""
    work, units = workload
    if count:
        with counting_round_trips() as counter:
            work()
        return {"round_trips": counter.count / units}
    start = time.perf_counter()
    work()
    return {"seconds": (time.perf_counter() - start) / units}


def exit_on_sigterm(*_: object) -> None:
    """Exit through atexit when stopped, so as to leave the embedded server cleanly; a second
    SIGTERM (to the process group, then from run.py) must not interrupt that."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(128 + signal.SIGTERM)


def setup(*, schemas: list[str], projects: int) -> dict[str, Any]:
    """Migrate public and the static tenants, then create each tenant as a sign-up would."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from shared_app.models import Client, Domain
    from tenant_app.models import Project

    call_command("migrateschema", verbosity=0, interactive=False)
    hosts = []
    for schema_name in schemas:
        tenant = Client.objects.create(schema_name=schema_name, name=schema_name.title())
        domain = Domain.objects.create(
            tenant=tenant, domain=f"{schema_name}.{settings.DOMAIN_NAME}", is_primary=True
        )
        hosts.append(domain.domain)
        with tenant:
            get_user_model().objects.create_user(BENCH_MEMBER)  # pages need a logged-in member
            Project.objects.bulk_create(
                Project(name=f"{schema_name} project {number}") for number in range(projects)
            )
    return {"hosts": hosts}


def pgschemas_workloads(
    *, schemas: list[str], hosts: list[str], queries: int, requests: int, **_: Any
) -> dict[str, Workload]:
    from django.core.management import call_command

    from shared_app.models import Client
    from tenant_app.models import Project

    first, second = (Client.objects.get(schema_name=name) for name in schemas[:2])
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

    def migrate() -> None:
        call_command("migrateschema", "-s", ":dynamic:", verbosity=0, interactive=False)

    return {
        "queries": (one_tenant, queries),
        "switching": (switching, queries),
        "requests": (get_home_page(hosts[0], schemas[0], requests, first), requests),
        "migrate": (migrate, len(schemas)),
    }


def plain_workloads(
    *, schemas: list[str], hosts: list[str], queries: int, requests: int, **_: Any
) -> dict[str, Workload]:
    """The same work for plain Django; "other" is a second connection to the second tenant."""
    from django.core.management import call_command

    from tenant_app.models import Project

    ids = list(Project.objects.values_list("pk", flat=True))

    def one_tenant() -> None:
        for number in range(queries):
            Project.objects.filter(pk=ids[number % len(ids)]).exists()

    def switching() -> None:
        aliases = ("default", "other")
        for number in range(queries):
            Project.objects.using(aliases[number % 2]).filter(pk=ids[number % len(ids)]).exists()

    def migrate() -> None:
        call_command("migrate", verbosity=0, interactive=False)

    return {
        "queries": (one_tenant, queries),
        "switching": (switching, queries),
        "requests": (get_home_page(hosts[0], schemas[0], requests, nullcontext()), requests),
        "migrate": (migrate, 1),
    }


def get_home_page(
    host: str, schema_name: str, requests: int, schema: AbstractContextManager[Any]
) -> Callable[[], None]:
    """GET / of a tenant `requests` times through the whole middleware stack, as its member
    (logged in within ``schema``, where the user and the session live)."""
    from django.contrib.auth import get_user_model
    from django.test import Client as TestClient

    client = TestClient(HTTP_HOST=host)
    with schema:
        client.force_login(get_user_model().objects.get(email=BENCH_MEMBER))
    response = client.get("/")
    if response.status_code != 200 or f"{schema_name} project" not in response.content.decode():
        raise SystemExit(f"GET / of {host} did not list the projects of {schema_name}: {response}")

    def get() -> None:
        for _ in range(requests):
            client.get("/")

    return get


@dataclass
class RoundTrips:
    count: int = 0


@contextmanager
def counting_round_trips() -> Iterator[RoundTrips]:
    """Count every statement sent to the server, the backend's own SET search_path included.

    Django's execute wrappers see each statement of every wrapped cursor, the backend's SET too;
    used for one untimed run only.
    """
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
    main(sys.argv[1], json.loads(sys.argv[2]))

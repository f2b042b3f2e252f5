"""Tenants on a real Citus cluster: placement, moves under load, the operations commands.

These run only against the local cluster's coordinator (docs/scaling.md):

    python -m devtools.citus_cluster start --source citus-14.0.1.tar.gz
    DATABASE_URL=<the URL it prints> PGSCHEMAS_CITUS=on pytest tests/tenancy/test_citus.py

Without it they are skipped, except the one checking that the commands refuse a plain database.
Figures (placements, the move, the latency ratio) are printed: run pytest with -s to see them.
"""

import threading
import time
from collections import Counter
from contextlib import nullcontext
from io import StringIO

import psycopg2
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import OperationalError
from django.test import Client as HttpClient
from django.test import override_settings

from devtools import citus_cluster
from pgschemas.contrib.citus import operations, sharding
from pgschemas.fleet.provisioning import drop_schema
from shared_app.models import Client
from tenant_app.models import Invitation

from ..conftest import TENANTS, host, secret_of
from ..factories import ClientFactory, DomainFactory, ProjectFactory, UserFactory


def on_citus(test):
    """Mark a test ``citus`` (``pytest -m "not citus"`` leaves them out); skip it without Citus."""
    skip = pytest.mark.skipif(
        not settings.PGSCHEMAS_CITUS,
        reason="needs a Citus coordinator: start `python -m devtools.citus_cluster start --source "
        "<citus tarball>`, then run pytest with its DATABASE_URL and PGSCHEMAS_CITUS=on",
    )
    return pytest.mark.citus(skip(test))


LATENCY_REQUESTS = 200


@pytest.mark.parametrize(
    "command", [["citus_tenants"], ["citus_move", "acme", "127.0.0.1:5432"], ["citus_rebalance"]]
)
def test_citus_commands_refuse_a_database_without_citus(command, committed_db):
    plain = _single_node_database() if settings.PGSCHEMAS_CITUS else nullcontext()
    with plain, pytest.raises(CommandError, match="not a Citus coordinator"):
        call_command(*command)


@on_citus
@pytest.mark.django_db
def test_100_tenants_created_through_the_model_spread_over_both_workers(capsys):
    for number in range(100):
        ClientFactory(schema_name=f"spread_{number}")

    placements = [p for p in operations.placements() if p.schema_name.startswith("spread_")]
    per_node = Counter(placement.node for placement in placements)

    with capsys.disabled():
        print(f"\nplacement of 100 new tenants: {dict(per_node)}")
    assert len(placements) == 100
    assert set(per_node) == set(operations.workers())
    assert min(per_node.values()) >= 25, per_node


@on_citus
@pytest.mark.django_db
def test_public_tables_that_tenants_point_to_are_reference_tables():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT logicalrelid::text FROM pg_dist_partition WHERE partmethod = 'n' "
            "AND repmodel = 't' AND logicalrelid::text NOT LIKE '%%.%%'"
        )
        reference = {table for (table,) in cursor.fetchall()}
    assert reference == set(sharding.public_tables_referenced_by_tenants())
    assert "django_content_type" in reference


@on_citus
@pytest.mark.django_db
def test_citus_tenants_lists_each_tenant_with_its_worker(capsys):
    call_command("citus_tenants")

    output = capsys.readouterr().out
    placed = {p.schema_name: p.node for p in operations.placements()}
    for schema_name in TENANTS:
        assert f"{schema_name:32} {placed[schema_name]:24}" in output


@on_citus
@pytest.mark.django_db
def test_citus_move_rejects_an_unknown_schema_or_node():
    with pytest.raises(CommandError, match="not a distributed schema"):
        call_command("citus_move", "nosuchtenant", operations.workers()[0])
    with pytest.raises(CommandError, match="not an active worker"):
        call_command("citus_move", "acme", "127.0.0.1:1")
    with pytest.raises(CommandError, match="host:port"):
        call_command("citus_move", "acme", "worker-without-port")


@on_citus
def test_citus_rebalance_leaves_every_worker_holding_tenants(committed_db):
    output = StringIO()
    call_command("citus_rebalance", stdout=output)

    assert "Rebalanced" in output.getvalue()
    assert {p.node for p in operations.placements() if p.node} == set(operations.workers())


@on_citus
def test_citus_add_node_then_rebalance_moves_tenants_to_the_new_worker(committed_db):
    port = citus_cluster.start_spare_node(connection.settings_dict["NAME"])
    node = f"127.0.0.1:{port}"
    try:
        call_command("citus_add_node", node, stdout=StringIO())
        assert node in operations.workers()

        call_command("citus_rebalance", stdout=StringIO())

        assert node in {placement.node for placement in operations.placements()}
    finally:
        with connection.cursor() as cursor:
            if node in operations.workers():  # move its schemas back to the others, then forget it
                cursor.execute("SELECT citus_drain_node('127.0.0.1', %s)", [port])
                # the copies the moves left behind, else later moves fail cleaning them up
                cursor.execute("CALL citus_cleanup_orphaned_resources()")
                cursor.execute("SELECT citus_remove_node('127.0.0.1', %s)", [port])
        citus_cluster.stop(nodes=(citus_cluster.SPARE,))


@on_citus
@pytest.mark.django_db
def test_a_schema_written_in_the_same_transaction_cannot_be_dropped_on_citus():
    """A known limit: SET CONSTRAINTS ALL IMMEDIATE is not sent on to the workers, so rows
    pending deferred foreign key checks there block the DROP until the transaction commits."""
    tenant = ClientFactory(schema_name="written_then_dropped")
    with tenant:
        Invitation.objects.create(email="new@example.com", invited_by=UserFactory())
    with pytest.raises(OperationalError, match="pending trigger events"), transaction.atomic():
        drop_schema(tenant.schema_name)


@on_citus
def test_a_tenant_moved_to_the_other_worker_keeps_answering_with_its_own_rows(committed_db, capsys):
    """Requests to both customers run in threads while acme's schema moves to the other worker."""
    before = {p.schema_name: p.node for p in operations.placements()}["acme"]
    target = next(node for node in operations.workers() if node != before)
    outcomes: Counter[str] = Counter()
    moving = threading.Event()
    moving.set()

    def ask(schema_name: str, client: HttpClient) -> None:
        others = [secret_of(other) for other in TENANTS if other != schema_name]
        try:
            while moving.is_set():
                try:
                    response = client.get("/")
                except Exception:  # a failure of any kind is what we count
                    outcomes["errors"] += 1
                    continue
                body = response.content.decode()
                outcomes["requests"] += 1
                if response.status_code != 200 or secret_of(schema_name) not in body:
                    outcomes["errors"] += 1
                if any(secret in body for secret in others):
                    outcomes["cross-tenant reads"] += 1
        finally:
            connection.close()

    threads = [
        threading.Thread(target=ask, args=(name, member_client(name)))
        for name in TENANTS
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    try:
        time.sleep(0.5)  # requests are flowing before the move starts
        call_command("citus_move", "acme", target, stdout=StringIO())
        seconds = time.perf_counter() - started
        time.sleep(0.5)  # and after it
    finally:
        moving.clear()
        for thread in threads:
            thread.join()

    after = {p.schema_name: p.node for p in operations.placements()}["acme"]
    with capsys.disabled():
        print(
            f"\nmove of acme {before} -> {after} in {seconds:.1f} s: {outcomes['requests']} "
            f"requests, {outcomes['errors']} errors, "
            f"{outcomes['cross-tenant reads']} cross-tenant reads"
        )
    assert after == target
    assert outcomes["requests"] > 0
    assert outcomes["errors"] == 0
    assert outcomes["cross-tenant reads"] == 0


@on_citus
def test_request_latency_through_the_coordinator_against_a_single_node(committed_db, capsys):
    """The same page of a tenant, served through the coordinator (the schema on a worker) and
    from the single-node embedded server, in this run. Information only: nothing is asserted
    about the times."""
    through_coordinator = _seconds_per_request("acme")
    with _single_node_database():
        tenant = ClientFactory(schema_name="acme")
        DomainFactory(tenant=tenant, domain=host("acme"))
        with tenant:
            ProjectFactory(name=secret_of("acme"))
        single_node = _seconds_per_request("acme")

    with capsys.disabled():
        print(
            f"\nGET / of a tenant: {through_coordinator * 1000:.2f} ms through the coordinator, "
            f"{single_node * 1000:.2f} ms on a single node: "
            f"{through_coordinator / single_node:.2f}x"
        )
    assert through_coordinator > 0 and single_node > 0


def member_client(schema_name: str) -> HttpClient:
    """A test client for the tenant's host, logged in as its member (made once, committed)."""
    client = HttpClient(HTTP_HOST=host(schema_name))
    with Client.objects.get(schema_name=schema_name):
        member, _ = get_user_model().objects.get_or_create(email=f"member@{schema_name}.test")
        client.force_login(member)
    return client


def _seconds_per_request(schema_name: str) -> float:
    """Best of 3 runs of LATENCY_REQUESTS requests, after a warm-up."""
    client = member_client(schema_name)
    assert secret_of(schema_name) in client.get("/").content.decode()
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(LATENCY_REQUESTS):
            client.get("/")
        runs.append((time.perf_counter() - started) / LATENCY_REQUESTS)
    return min(runs)


class _single_node_database:
    """Point the default connection at a new, migrated database on the embedded server (the
    project's single-node development server), without Citus; dropped on exit. Use it only from
    the Citus run, with ``committed_db``."""

    def __enter__(self) -> None:
        from devtools.devdb import embedded_database

        self.server = embedded_database(settings.BASE_DIR / ".pgdata")
        self.name = "citus_baseline"
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {self.name}")
        self.saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update({**self.server, "NAME": self.name, "OPTIONS": {}})
        self.citus_off = override_settings(PGSCHEMAS_CITUS=False)
        self.citus_off.enable()
        cache.clear()
        ContentType.objects.clear_cache()
        call_command("migrateschema", verbosity=0)

    def __exit__(self, *exc_info: object) -> None:
        connection.close()
        self.citus_off.disable()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.saved)
        cache.clear()
        ContentType.objects.clear_cache()
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        admin = psycopg2.connect(
            host=self.server["HOST"], port=self.server["PORT"], user=self.server["USER"]
        )
        admin.autocommit = True
        try:
            admin.cursor().execute(statement)
        finally:
            admin.close()

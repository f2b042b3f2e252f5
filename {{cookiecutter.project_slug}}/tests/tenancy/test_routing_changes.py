"""The routing change log: every write to the routing tables reaches the host map as what changed,
never as a reload (pgschemas/routing/changes.py, pgschemas/routing/host_map.py).

The writes here are raw SQL, which sends no signal: the map learns of them only from the log.
"""

import time

import pytest
from django.db import connection
from django.test import override_settings

from pgschemas.routing.changes import HORIZON, LOG
from pgschemas.routing.host_map import host_map
from shared_app.models import Client, Domain, Plan

from ..conftest import fetch
from ..conftest import host as host_of
from ..factories import DomainFactory
from ..processes import web_processes

FLEET = 300  # tenants besides the ones a test changes: a reload would be seen


@pytest.fixture
def fleet(db) -> list[str]:
    """``FLEET`` tenants with a domain each (rows only: routing does not look at schemas), all
    looked up once by this process; their hosts."""
    tenants = Client.objects.bulk_create(
        Client(schema_name=f"fleet_{number}", name="x") for number in range(FLEET)
    )
    Domain.objects.bulk_create(
        Domain(tenant=tenant, domain=f"fleet-{number}.changes.test")
        for number, tenant in enumerate(tenants)
    )
    hosts = [f"fleet-{number}.changes.test" for number in range(FLEET)]
    for host in hosts:
        host_map().tenant_for(host)
    return hosts


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def after_change(host: str) -> object:
    """The tenant the map gives ``host`` once it has read the log."""
    host_map().expire()
    return host_map().tenant_for(host)


def assert_still_held(hosts: list[str], django_assert_num_queries) -> None:
    """The fleet's hosts are answered from memory: nothing was reloaded."""
    with override_settings(PGSCHEMAS_ROUTING_CHECK_SECONDS=60), django_assert_num_queries(0):
        assert all(host_map().tenant_for(host) is not None for host in hosts)


@pytest.mark.django_db
def test_a_domain_inserted_updated_and_deleted_by_raw_sql_reaches_the_map_without_a_reload(
    fleet, acme, globex, django_assert_num_queries
):
    host = "raw.changes.test"
    resets = host_map().resets
    assert after_change(host) is None  # now remembered as unknown

    sql(
        f"INSERT INTO {Domain._meta.db_table} (domain, tenant_id, is_primary) "
        "VALUES (%s, %s, false)",
        [host, acme.pk],
    )
    assert after_change(host) == acme
    sql(f"UPDATE {Domain._meta.db_table} SET tenant_id = %s WHERE domain = %s", [globex.pk, host])
    assert after_change(host) == globex
    sql(f"DELETE FROM {Domain._meta.db_table} WHERE domain = %s", [host])
    assert after_change(host) is None

    assert host_map().resets == resets
    assert_still_held(fleet, django_assert_num_queries)


@pytest.mark.django_db
def test_a_tenant_updated_by_raw_sql_is_loaded_again_alone(fleet, django_assert_num_queries):
    host = fleet[7]
    assert after_change(host).status == "active"

    sql(
        f"UPDATE {Client._meta.db_table} SET status = 'suspended' WHERE schema_name = 'fleet_7'", []
    )
    with django_assert_num_queries(2):  # the log, then this tenant by its id
        assert after_change(host).status == "suspended"

    assert_still_held(fleet, django_assert_num_queries)


@pytest.mark.django_db
def test_a_tenant_deleted_by_raw_sql_is_no_longer_served(fleet, django_assert_num_queries):
    host = fleet[3]
    tenant = Client.objects.get(schema_name="fleet_3")

    sql(f"DELETE FROM {Domain._meta.db_table} WHERE tenant_id = %s", [tenant.pk])
    sql(f"DELETE FROM {Client._meta.db_table} WHERE id = %s", [tenant.pk])

    assert after_change(host) is None
    assert_still_held(fleet[4:], django_assert_num_queries)


@pytest.mark.django_db
def test_a_plan_changed_by_raw_sql_reaches_the_tenants_held(acme):
    acme_host = host_of("acme")
    plan = Plan.objects.create(slug="changes-plan", name="Before")
    Client.objects.filter(pk=acme.pk).update(plan=plan)
    assert after_change(acme_host).plan.name == "Before"

    sql(f"UPDATE {Plan._meta.db_table} SET name = 'After' WHERE id = %s", [plan.pk])

    assert after_change(acme_host).plan.name == "After"


@pytest.mark.django_db
def test_a_process_behind_the_pruned_log_forgets_everything_and_answers_right(fleet, acme):
    host = "pruned.changes.test"
    assert after_change(host) is None
    resets = host_map().resets
    DomainFactory(tenant=acme, domain=host, is_primary=False)  # a change the map has not read
    sql(f"UPDATE {LOG} SET changed_at = changed_at - interval '1 day'", [])

    DomainFactory(tenant=acme, domain="another.changes.test", is_primary=False)  # prunes

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), (SELECT pruned_below FROM {HORIZON}) FROM {LOG}")
        left, pruned_below = cursor.fetchone()
    assert left == 1 and pruned_below > host_map().watermark  # the log forgot the first domain
    assert after_change(host) == acme
    assert host_map().resets == resets + 1
    assert host_map().hosts == {host: acme.pk}  # the map fills again as hosts are asked for


@pytest.mark.django_db
def test_the_map_holds_tenant_ids_and_only_the_tenants_served_most_recently(
    fleet, django_assert_num_queries
):
    with override_settings(PGSCHEMAS_ROUTING_TENANTS_HELD=10, PGSCHEMAS_ROUTING_CHECK_SECONDS=60):
        host_map().forget()
        for host in fleet[:20]:
            host_map().tenant_for(host)
        held = list(host_map().tenants)

        assert len(held) == 10 and all(
            isinstance(value, int) for value in host_map().hosts.values()
        )
        with django_assert_num_queries(0):
            assert host_map().tenant_for(fleet[19]).schema_name == "fleet_19"
        with django_assert_num_queries(1):  # its tenant by id: the host is still mapped
            assert host_map().tenant_for(fleet[0]).schema_name == "fleet_0"


@pytest.fixture
def committed(committed_db):
    """Rows made here are committed (the servers are other processes); removed afterwards."""
    yield
    Domain.objects.filter(domain__endswith=".raw-processes.test").delete()
    Client.objects.filter(schema_name__startswith="raw_processes_").delete()


@pytest.mark.processes
def test_raw_sql_changes_reach_every_process(committed):
    """Served, its tenant changed, moved to another tenant, deleted: each within a second, in
    each server. The tenants are refused by state, so their pages (and schemas) are not needed."""
    first, second = Client.objects.bulk_create(
        [
            Client(schema_name="raw_processes_a", name="a", status="suspended"),
            Client(schema_name="raw_processes_b", name="b", status="maintenance"),
        ]
    )
    host = "shop.raw-processes.test"
    with web_processes(2) as urls:
        assert {fetch(url, host)[0] for url in urls} == {404}

        sql(
            f"INSERT INTO {Domain._meta.db_table} (domain, tenant_id, is_primary) "
            "VALUES (%s, %s, true)",
            [host, first.pk],
        )
        assert served_everywhere(urls, host) == {403}
        sql(
            f"UPDATE {Client._meta.db_table} SET status = 'pending_deletion' WHERE id = %s",
            [first.pk],
        )
        assert served_everywhere(urls, host) == {410}
        sql(
            f"UPDATE {Domain._meta.db_table} SET tenant_id = %s WHERE domain = %s",
            [second.pk, host],
        )
        assert served_everywhere(urls, host) == {503}
        sql(f"DELETE FROM {Domain._meta.db_table} WHERE domain = %s", [host])
        assert served_everywhere(urls, host) == {404}


def served_everywhere(urls: list[str], host: str, seconds: float = 1.0) -> set[int]:
    """What every server answers for ``host`` once ``seconds`` have passed (asked 3 times each)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for url in urls:
            fetch(url, host)
    return {fetch(url, host)[0] for url in urls for _ in range(3)}

"""Routing changes reach every process within a second; any number of tenants is held.

The servers are separate processes (each with its own host map, as web workers have), on the
default settings: no shared cache. Changes are made from this process, as from a shell.
"""

import time
import warnings

import pytest
from django.core.cache import CacheKeyWarning
from django.db import connection
from django.test import override_settings

from pgschemas.routing.host_map import host_map
from shared_app.models import Client, Domain

from ..factories import ClientFactory, DomainFactory, ProjectFactory
from ..processes import web_processes
from .test_isolation import fetch as get

SHARED_HOST = "shop.routing.test"
PROPAGATION_SECONDS = 1.0
SCHEMAS = ("route_old", "route_new", "route_other")


@pytest.fixture
def routed(committed_db):
    """Tenants made here are committed; the test removes what it made."""
    yield
    Client.objects.filter(schema_name__startswith="route_").delete()
    from pgschemas.fleet.provisioning import drop_schema

    for name in SCHEMAS:
        drop_schema(name)


def tenant_with_secret(schema_name: str, domain: str | None = None) -> Client:
    """Anonymous requests land on the workspace's log-in page, which shows the tenant's name."""
    tenant = ClientFactory(schema_name=schema_name, name=f"{schema_name} secret")
    if domain:
        DomainFactory(tenant=tenant, domain=domain)
    with tenant:
        ProjectFactory(name=f"{schema_name} secret")
    return tenant


def served_after_change(urls: list[str], seconds: float = 2.0) -> list[str]:
    """Poll every server for ``seconds`` from now; what each answered after the first second:
    the schema whose secret it showed, or the status."""
    start, late = time.monotonic(), []
    while time.monotonic() - start < seconds:
        for url in urls:
            status, body = get(url, SHARED_HOST)
            if time.monotonic() - start > PROPAGATION_SECONDS:
                late.append(next((s for s in SCHEMAS if f"{s} secret" in body), str(status)))
    return late


def assert_every_process_serves(urls: list[str], expected: str | None) -> None:
    for url in urls:
        status, body = get(url, SHARED_HOST)
        assert (status, expected in body if expected else True) == (
            200 if expected else 404,
            True,
        ), (url, status, body[:200])


@pytest.mark.processes
def test_a_deleted_tenants_domain_given_to_a_new_tenant_reaches_every_process(routed):
    old = tenant_with_secret("route_old", SHARED_HOST)
    with web_processes(3) as urls:
        assert_every_process_serves(urls, "route_old secret")

        old.delete()  # its schema stays (auto_drop_schema is off): its rows could still be read
        tenant_with_secret("route_new", SHARED_HOST)
        seen = served_after_change(urls)

    assert seen and set(seen) == {"route_new"}, seen


@pytest.mark.processes
def test_a_domain_moved_with_queryset_update_reaches_every_process(routed):
    tenant_with_secret("route_old", SHARED_HOST)
    other = tenant_with_secret("route_other")
    with web_processes(3) as urls:
        assert_every_process_serves(urls, "route_old secret")

        Domain.objects.filter(domain=SHARED_HOST).update(tenant=other)  # no signal at all
        seen = served_after_change(urls)

    assert seen and set(seen) == {"route_other"}, seen


@pytest.mark.processes
def test_a_bulk_deleted_tenant_stops_being_served_by_every_process(routed):
    tenant_with_secret("route_old", SHARED_HOST)
    with web_processes(3) as urls:
        assert_every_process_serves(urls, "route_old secret")

        Client.objects.filter(schema_name="route_old").delete()
        seen = served_after_change(urls)

    assert seen and set(seen) == {"404"}, seen


@pytest.mark.django_db
def test_every_tenant_stays_in_the_host_map_past_any_cache_size(client, django_assert_num_queries):
    tenants = Client.objects.bulk_create(
        Client(schema_name=f"many_{number}", name="x") for number in range(1000)
    )  # rows only: routing does not look at schemas
    Domain.objects.bulk_create(
        Domain(tenant=tenant, domain=f"many-{number}.map.test")
        for number, tenant in enumerate(tenants)
    )
    hosts = [f"many-{number}.map.test" for number in range(1000)]
    with override_settings(PGSCHEMAS_ROUTING_CHECK_SECONDS=60):
        host_map().refresh()
        for host in hosts:  # each host is looked up once, the first time it is asked for
            host_map().tenant_for(host)

        with django_assert_num_queries(0):
            found = [host_map().tenant_for(host) for host in hosts]

    assert [tenant.schema_name for tenant in found] == [f"many_{n}" for n in range(1000)]


@pytest.mark.django_db
def test_an_unknown_host_costs_one_lookup_then_none_until_routing_changes(
    client, acme, django_assert_num_queries
):
    client.get("/", headers={"host": "warm-up.unknown.test"})

    with override_settings(PGSCHEMAS_ROUTING_CHECK_SECONDS=60):
        with django_assert_num_queries(1):
            assert client.get("/", headers={"host": "u.unknown.test"}).status_code == 404
        with django_assert_num_queries(0):
            for _ in range(50):
                assert client.get("/", headers={"host": "u.unknown.test"}).status_code == 404


@pytest.mark.django_db
def test_a_domain_added_behind_the_host_maps_back_is_served_at_once(client, acme):
    """As a customer who has just signed up, reaching a process whose map predates the sign-up."""
    client.get("/", headers={"host": "warm-up.unknown.test"})  # the map is loaded and fresh
    with connection.cursor() as cursor:  # no signal: this process learns nothing
        cursor.execute(
            f"INSERT INTO {Domain._meta.db_table} (domain, tenant_id, is_primary) "
            "VALUES (%s, %s, false)",
            ["just-signed-up.example.test", acme.pk],
        )

    with override_settings(PGSCHEMAS_ROUTING_CHECK_SECONDS=60):
        response = client.get("/", headers={"host": "just-signed-up.example.test"})

    assert response.wsgi_request.tenant == acme


LONGEST_HOST = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 49]) + ".example.com"


@pytest.mark.django_db
def test_a_253_character_host_is_served_whatever_the_cache_backend_accepts(client, acme):
    assert len(LONGEST_HOST) == 253
    DomainFactory(tenant=acme, domain=LONGEST_HOST, is_primary=False)

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)  # what memcached would refuse
        response = client.get("/", headers={"host": LONGEST_HOST})

    assert response.status_code == 302  # to the workspace's log-in page
    assert response.wsgi_request.tenant == acme

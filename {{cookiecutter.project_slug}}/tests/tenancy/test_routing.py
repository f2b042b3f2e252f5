"""Requests through TenantMainMiddleware: each host reaches its own schema and URLconf."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from pgschemas.schema import PUBLIC_SCHEMA, get_active_schema

from ..conftest import host, secret_of, statements_sent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hostname", [settings.DOMAIN_NAME, f"www.{settings.DOMAIN_NAME}"])
def test_www_domains_serve_the_www_static_tenant(client, hostname):
    response = client.get("/", headers={"host": hostname})

    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "www"
    assert response.wsgi_request.urlconf == "main_app.urls"
    assert b"<code>www</code>" in response.content


def test_customer_domain_serves_its_tenant_with_its_data_to_its_members(member_client, acme):
    response = member_client(acme).get("/")

    assert response.status_code == 200
    assert response.wsgi_request.tenant == acme
    assert response.wsgi_request.urlconf == "tenant_app.urls"
    assert secret_of("acme").encode() in response.content
    assert secret_of("globex").encode() not in response.content


def test_host_is_matched_without_port_and_case(client, acme):
    response = client.get(
        "/accounts/login/", headers={"host": f"ACME.{settings.DOMAIN_NAME.upper()}:8000"}
    )

    assert response.status_code == 200
    assert response.wsgi_request.tenant == acme


@pytest.mark.parametrize(
    "hostname",
    [
        f"nobody.{settings.DOMAIN_NAME}",
        f"unknown.{settings.DOMAIN_NAME}.test",
        f"{settings.DOMAIN_NAME}.evil",
    ],
)
def test_unknown_host_returns_404_without_serving_public(client, hostname):
    response = client.get("/", headers={"host": hostname})

    assert response.status_code == 404
    assert response.content == b"No site is served at this address."
    assert not hasattr(response.wsgi_request, "tenant")


def test_static_tenant_is_routed_without_a_query(client, django_assert_num_queries):
    client.get("/", headers={"host": settings.DOMAIN_NAME})  # warm up: connection, search_path

    with django_assert_num_queries(0):
        response = client.get("/", headers={"host": f"www.{settings.DOMAIN_NAME}"})

    assert response.wsgi_request.tenant.schema_name == "www"


# A member's page costs three queries: the session, the user and the view's projects.
PAGE_QUERIES = ("django_session", "users_user", "tenant_app_project")


def test_dynamic_host_lookup_is_cached_and_search_path_not_set_again(
    member_client, acme, django_assert_num_queries
):
    http = member_client(acme)
    http.get("/")

    with django_assert_num_queries(3) as captured:  # the page's own queries, nothing else
        http.get("/")

    queries = [query["sql"] for query in captured.captured_queries]
    assert all(table in sql for table, sql in zip(PAGE_QUERIES, queries, strict=True))


def test_switching_tenant_sends_the_path_with_the_first_statement(
    member_client, acme, globex, django_assert_num_queries
):
    acme_http, globex_http = member_client(acme), member_client(globex)
    acme_http.get("/")
    globex_http.get("/")  # domain cached, path now globex

    with django_assert_num_queries(3), statements_sent() as sent:  # no SET of its own
        page = acme_http.get("/")

    assert sent[0].startswith('SET LOCAL search_path = "acme", public; SELECT')
    assert secret_of("acme") in page.content.decode()


def test_each_tenant_kind_has_its_own_urlconf(client):
    tenant_admin = client.get("/admin/", headers={"host": host("acme")})
    www_admin = client.get("/admin/", headers={"host": settings.DOMAIN_NAME})

    assert tenant_admin.status_code == 302
    assert tenant_admin["Location"].startswith("/admin/login/")
    assert www_admin.status_code == 302
    assert client.get("/nowhere/", headers={"host": host("acme")}).status_code == 404


def test_schema_is_reset_after_the_response(client):
    client.get("/", headers={"host": host("acme")})

    assert get_active_schema() is PUBLIC_SCHEMA


def test_async_requests_are_routed_too(acme):
    status, body = async_to_sync(asgi_get)(host("acme"), "/accounts/login/")

    assert status == 200
    assert b"Acme" in body
    assert get_active_schema() is PUBLIC_SCHEMA


async def asgi_get(hostname: str, path: str) -> tuple[int, bytes]:
    """One GET through Django's ASGI handler, so the middleware runs in async mode."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", hostname.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client never disconnects

    async def send(message: dict) -> None:
        sent.append(message)

    # Like Django's test client: keep the test's transaction open when the request ends.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        await ASGIHandler()(scope, receive, send)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return sent[0]["status"], b"".join(message.get("body", b"") for message in sent[1:])


# Open to anyone, and it shows the workspace name: enough to see which tenant answered.
LOGIN = "/accounts/login/"


def test_a_new_domain_is_routed_without_waiting_for_the_cache(client, acme):
    assert client.get(LOGIN, headers={"host": host("acme-new")}).status_code == 404

    acme.domains.create(domain=host("acme-new"))

    assert client.get(LOGIN, headers={"host": host("acme-new")}).status_code == 200


def test_a_deleted_domain_stops_routing_at_once(client, acme):
    assert client.get(LOGIN, headers={"host": host("acme")}).status_code == 200

    acme.domains.get(domain=host("acme")).delete()

    assert client.get(LOGIN, headers={"host": host("acme")}).status_code == 404


def test_a_renamed_domain_routes_the_new_name_and_forgets_the_old(client, acme):
    assert client.get(LOGIN, headers={"host": host("acme")}).status_code == 200
    domain = acme.domains.get(domain=host("acme"))

    domain.domain = host("acme-renamed")
    domain.save()

    assert client.get(LOGIN, headers={"host": host("acme")}).status_code == 404
    assert client.get(LOGIN, headers={"host": host("acme-renamed")}).status_code == 200


def test_a_changed_tenant_is_served_fresh_not_from_the_cache(client, acme):
    client.get(LOGIN, headers={"host": host("acme")})

    acme.name = "Acme Renamed"
    acme.save()

    assert b"Acme Renamed" in client.get(LOGIN, headers={"host": host("acme")}).content

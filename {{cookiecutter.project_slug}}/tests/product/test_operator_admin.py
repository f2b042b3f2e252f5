"""The operator admin on www, over real HTTP: bad input is a form error with a true message.

The server runs in a thread on committed data (``live_server_url``), so each test removes the
customers, schemas and users it made.
"""

import html
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models.signals import post_migrate

from pgschemas.availability import schema_exists
from pgschemas.fleet.provisioning import create_schema, drop_schema
from pgschemas.schema import StaticSchema
from shared_app.models import Client, Domain

from ..conftest import TENANTS, host
from ..factories import ClientFactory, UserFactory

PASSWORD = "correct horse battery staple"
STATIC_DOMAINS = [
    domain for tenant in settings.TENANTS.values() for domain in tenant.get("DOMAINS", [])
]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer under test (302 = saved), so it is returned, not followed."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class OperatorBrowser:
    """A logged-in browser session on www's operator admin: cookies and CSRF like a browser's."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """GET, or POST ``data`` with the CSRF token; return the status (redirects not followed)
        and the text of the page, HTML entities decoded."""
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self._csrf_token()}
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(
            self.server_url + path, data=body, headers={"Host": settings.DOMAIN_NAME}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, html.unescape(response.read().decode())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            return error.code, html.unescape(error.read().decode())

    def log_in(self, email: str, password: str) -> None:
        self.request("/admin/login/")
        status, _ = self.request(  # the admin's log-in form names the e-mail field "username"
            "/admin/login/", {"username": email, "password": password, "next": "/admin/"}
        )
        assert status == 302, "the operator could not log in"

    def _csrf_token(self) -> str:
        if not any(cookie.name == "csrftoken" for cookie in self.cookies):
            self.request("/admin/login/")
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")


def schema_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_catalog.pg_namespace")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def operator(live_server_url) -> Iterator[OperatorBrowser]:
    """A superuser of www, logged in; customers and schemas the test adds are removed after it."""
    schemas_before = schema_names()
    with StaticSchema("www"):
        user = UserFactory(email="operator@example.com", is_staff=True, is_superuser=True)
    browser = OperatorBrowser(live_server_url)
    browser.log_in("operator@example.com", PASSWORD)
    yield browser
    Client.objects.exclude(schema_name__in=TENANTS).delete()
    for schema_name in schema_names() - schemas_before:
        drop_schema(schema_name)
    with StaticSchema("www"):
        user.delete()


def add_client(operator: OperatorBrowser, schema_name: str, domain: str = "") -> tuple[int, str]:
    """Submit the add form of a customer, with one inline domain."""
    return operator.request(
        "/admin/shared_app/client/add/",
        {
            "name": schema_name.title(),
            "schema_name": schema_name,
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "0",
            "domains-MIN_NUM_FORMS": "0",
            "domains-MAX_NUM_FORMS": "1000",
            "domains-0-domain": domain,
            "domains-0-is_primary": "on",
        },
    )


def add_domain(operator: OperatorBrowser, domain: str, tenant: Client) -> tuple[int, str]:
    return operator.request(
        "/admin/shared_app/domain/add/", {"domain": domain, "tenant": str(tenant.pk)}
    )


def test_adding_a_customer_with_a_domain_creates_both(operator):
    status, page = add_client(operator, "initech", f"Initech.{settings.DOMAIN_NAME}")

    assert status == 302, page
    assert schema_exists("initech")
    assert Client.objects.get(schema_name="initech").domains.get().domain == host("initech")


@pytest.mark.parametrize("static_domain", STATIC_DOMAINS)
def test_a_static_tenants_domain_is_a_form_error_for_a_domain(operator, static_domain):
    acme = Client.objects.get(schema_name="acme")
    status, page = add_domain(operator, static_domain.upper(), acme)

    assert status == 200
    assert f"'{static_domain}' is already routed to the static tenant" in page
    assert not Domain.objects.filter(domain=static_domain).exists()


@pytest.mark.parametrize("static_domain", STATIC_DOMAINS)
def test_a_static_tenants_domain_is_a_form_error_for_a_new_customers_domain(
    operator, static_domain
):
    status, page = add_client(operator, "initech", static_domain)

    assert status == 200
    assert f"'{static_domain}' is already routed to the static tenant" in page
    assert not Client.objects.filter(schema_name="initech").exists()
    assert not schema_exists("initech")


def test_a_live_customers_schema_name_is_taken_not_a_leftover(operator):
    status, page = add_client(operator, "acme")

    assert status == 200
    assert "A client already uses the schema 'acme': choose another schema_name." in page
    assert "DROP SCHEMA" not in page
    assert Client.objects.filter(schema_name="acme").count() == 1


@pytest.mark.parametrize("reserved", ["public", "www", "default"])
def test_a_reserved_schema_name_is_a_form_error_without_drop_advice(operator, reserved):
    status, page = add_client(operator, reserved)

    assert status == 200
    assert f"'{reserved}' is reserved: pick another schema name" in page
    assert "DROP SCHEMA" not in page
    assert schema_exists("public")


def test_a_leftover_schema_without_a_customer_gets_the_drop_advice(operator):
    create_schema("leftover")

    status, page = add_client(operator, "leftover")

    assert status == 200
    assert 'Drop it with DROP SCHEMA "leftover" CASCADE' in page
    assert not Client.objects.filter(schema_name="leftover").exists()


def test_a_failed_migration_is_a_form_error_with_the_reason_and_leaves_nothing(operator):
    def explode(**kwargs: object) -> None:
        raise DatabaseError("disk full (simulated)")

    post_migrate.connect(explode, dispatch_uid="explode")
    try:
        status, page = add_client(operator, "doomed", host("doomed"))
    finally:
        post_migrate.disconnect(dispatch_uid="explode")

    assert status == 200
    assert "Could not create schema 'doomed'" in page and "disk full (simulated)" in page
    assert 'value="doomed"' in page  # the form keeps what was entered
    assert not Client.objects.filter(schema_name="doomed").exists()
    assert not Domain.objects.filter(domain=host("doomed")).exists()
    assert not schema_exists("doomed")


def test_a_domain_in_capitals_is_stored_lower_case(operator):
    acme = Client.objects.get(schema_name="acme")
    status, page = add_domain(operator, f" Shop.ACME.{settings.DOMAIN_NAME.upper()} ", acme)

    assert status == 302, page
    stored = Domain.objects.filter(domain=f"shop.acme.{settings.DOMAIN_NAME}", tenant=acme)
    assert stored.exists()
    stored.delete()


@pytest.mark.parametrize("auto_drop_schema", [True, False])
def test_delete_selected_honours_auto_drop_schema(operator, monkeypatch, auto_drop_schema):
    monkeypatch.setattr(Client, "auto_drop_schema", auto_drop_schema)
    doomed = [ClientFactory(schema_name=name) for name in ("bulk_one", "bulk_two")]

    status, page = operator.request(
        "/admin/shared_app/client/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in doomed], "post": "yes"},
    )

    assert status == 302, page
    assert not Client.objects.filter(schema_name__in=["bulk_one", "bulk_two"]).exists()
    assert [schema_exists(c.schema_name) for c in doomed] == [not auto_drop_schema] * 2

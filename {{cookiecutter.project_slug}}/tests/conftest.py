"""Two customers, acme and globex, created once per session with a secret project each.

Most tests run inside a transaction that is rolled back (pytest-django's ``db``). Tests that need
data committed for other connections (threads, a server, commands that close connections) use
``committed_db``: it opens the database without that transaction, so they must clean up after
themselves.
"""

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client as HttpClient
from django.test.utils import setup_databases, teardown_databases

from pgschemas.routing.host_map import host_map
from pgschemas.schema import StaticSchema, deactivate
from shared_app.models import Client
from tenant_app.api.keys import create_key  # >>> include_api <<<
from tenant_app.models import ApiKey  # >>> include_api <<<

from . import citus_test_database
from .factories import ClientFactory, DomainFactory, ProjectFactory, UserFactory

TENANTS = ("acme", "globex")
OPERATOR = "operator@example.com"  # operator_client


def host(name: str) -> str:
    """The production host of a tenant or static site, e.g. host("acme") -> acme.example.com."""
    return f"{name}.{settings.DOMAIN_NAME}"


def secret_of(schema_name: str) -> str:
    return f"{schema_name} secret plan"


def fetch(url: str, hostname: str, cookie: str = "") -> tuple[int, str]:
    """GET ``url`` with the Host header ``hostname``: (status, body), errors included."""
    request = urllib.request.Request(url, headers={"Host": hostname, "Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL each execute really sent, with the search path that travelled in front of it.

    ``connection.queries`` shows statements as written, like Django's own backend.
    """
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        finally:
            sent.append(context["cursor"].cursor.query.decode())

    with connection.execute_wrapper(record):
        yield sent


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """The test database (every schema migrated) with the two customers.

    Replaces pytest-django's fixture, which creates no test database when only ``committed_db``
    tests are selected: those would then write into the development database.
    """
    with django_db_blocker.unblock():
        keepdb = citus_test_database.create()  # on Citus only: made on every node beforehand
        created = setup_databases(
            verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS}, keepdb=keepdb
        )
        for schema_name in TENANTS:
            tenant = ClientFactory(schema_name=schema_name, name=schema_name.title())
            DomainFactory(tenant=tenant, domain=host(schema_name))
            with tenant:
                ProjectFactory(name=secret_of(schema_name))
    yield
    with django_db_blocker.unblock():
        teardown_databases(created, verbosity=0, keepdb=keepdb)
        citus_test_database.drop()


@pytest.fixture
def acme(db) -> Client:
    return Client.objects.get(schema_name="acme")


@pytest.fixture
def globex(db) -> Client:
    return Client.objects.get(schema_name="globex")


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
        connections.close_all()


@pytest.fixture(autouse=True)
def _fresh_state_after_each_test():
    """Back to public, and forget cached routing: a test's rolled-back rows must not stay cached."""
    yield
    deactivate()
    cache.clear()
    host_map().forget()


@pytest.fixture
def member_client(db):
    """``member_client(acme)``: a test client for acme's host, logged in as a new member there.

    One client per tenant: sessions (and the cookie jar of Django's test client) are per host.
    """

    def client_of(tenant: Client, **user_fields: object) -> HttpClient:
        http = HttpClient(headers={"host": host(tenant.schema_name)})
        with tenant:
            http.force_login(UserFactory(**user_fields))
        return http

    return client_of


@pytest.fixture
def operator_client(db) -> HttpClient:
    """A test client on www, logged in as an operator who may do everything (a superuser): the
    console and the operator admin."""
    http = HttpClient(headers={"host": settings.DOMAIN_NAME})
    with StaticSchema("www"):
        http.force_login(UserFactory(email=OPERATOR, is_staff=True, is_superuser=True))
    return http


@pytest.fixture
def member_cookies(committed_db):
    """``member_cookies("acme", "globex")``: ``{host: "sessionid=..."}`` of a new member logged in
    at each tenant, committed for a live server; those members and sessions are removed after."""
    logged_in: list[str] = []

    def cookies_of(*schema_names: str) -> dict[str, str]:
        cookies = {}
        for name in schema_names:
            with Client.objects.get(schema_name=name):
                http = HttpClient()
                http.force_login(UserFactory(email=f"member@{name}.test"))
            logged_in.append(name)
            cookies[host(name)] = f"sessionid={http.cookies['sessionid'].value}"
        return cookies

    yield cookies_of
    for tenant in Client.objects.filter(schema_name__in=logged_in):
        with tenant:
            get_user_model().objects.filter(email=f"member@{tenant.schema_name}.test").delete()
            Session.objects.all().delete()


# >>> include_api
@pytest.fixture
def api_key(db):
    """``api_key(acme, "read")``: the full text of a new API key of acme (scope write unless
    given), to send as ``Authorization: Bearer <key>``."""

    def key_of(tenant: Client, scope: str = "write", name: str = "Tests") -> str:
        with tenant:
            return create_key(tenant, ApiKey(name=name, scope=scope))

    return key_of


# <<< include_api
class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def live_server_url(committed_db):
    """A threaded HTTP server on loopback (static files too): every request its own thread and
    connection. Unlike pytest-django's ``live_server`` it does not flush the database after."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()

"""A tenant's lifecycle state is enforced by routing, before any of its code runs: suspended 403,
maintenance 503 (operators pass with a signed, expiring bypass bound to the workspace), pending
deletion 410. The pages show nothing of the workspace but its host."""

import base64
import hashlib
import logging
import re
import time
from datetime import timedelta

import pytest
from celery.exceptions import Ignore
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pgschemas.contrib.celery import run_in_every_tenant
from pgschemas.routing.gate import BYPASS_COOKIE, bypass_link_path
from pgschemas.states import Status
from shared_app.models import Client
from tenant_app.tasks import project_names

from ..conftest import host, secret_of
from ..processes import web_processes
from .test_isolation import fetch

PROPAGATION_SECONDS = 1.0
PATHS = ("/", "/accounts/login/", "/admin/", "/settings/", "/static/css/site.css")


def set_status(tenant: Client, status: str, **fields: object) -> Client:
    tenant.status = status
    tenant.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(tenant, name, value)
    tenant.save()
    return tenant


def get(hostname: str, path: str = "/", **extra: object):
    return HttpClient(headers={"host": hostname}).get(path, **extra)


def assert_nothing_of_the_workspace(body: str, tenant: Client) -> None:
    assert tenant.name not in body and secret_of(tenant.schema_name) not in body
    assert "<form" not in body and "password" not in body.lower()


@pytest.mark.parametrize("path", PATHS)
def test_a_suspended_workspace_answers_403_on_every_path_with_whom_to_contact(acme, path, settings):
    settings.PGSCHEMAS_STATUS_CONTACT = "help@example.com"
    set_status(acme, Status.SUSPENDED, status_reason="unpaid invoices")

    response = get(host("acme"), path)

    body = response.content.decode()
    assert response.status_code == 403
    assert "suspended" in body and "help@example.com" in body and host("acme") in body
    assert "unpaid" not in body
    assert_nothing_of_the_workspace(body, acme)


def test_other_workspaces_are_served_while_one_is_suspended(acme, globex):
    set_status(acme, Status.SUSPENDED)

    assert get(host("globex")).status_code == 302  # to its log-in page, as usual
    assert get(host("acme")).status_code == 403


def test_a_workspace_under_maintenance_answers_503_with_retry_after(acme, settings):
    settings.PGSCHEMAS_MAINTENANCE_RETRY_AFTER = 120
    set_status(acme, Status.MAINTENANCE)

    response = get(host("acme"), "/accounts/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "maintenance" in response.content.decode()
    assert_nothing_of_the_workspace(response.content.decode(), acme)


def test_a_workspace_pending_deletion_answers_410_with_its_purge_date(acme):
    # Noon in the project's time zone, in which the page shows the date (any time of day would
    # be another date in a zone far from UTC at some hours).
    purge = timezone.localtime().replace(year=2031, month=3, day=14, hour=12, minute=0)
    set_status(acme, Status.PENDING_DELETION, purge_after=purge)

    response = get(host("acme"))

    body = response.content.decode()
    assert response.status_code == 410
    assert "14 March 2031" in body
    assert_nothing_of_the_workspace(body, acme)


def test_the_state_is_enforced_without_a_query(acme, settings):
    settings.PGSCHEMAS_ROUTING_CHECK_SECONDS = 3600  # no change check during the measure
    set_status(acme, Status.SUSPENDED)
    get(host("acme"))  # the host map is loaded

    with CaptureQueriesContext(connection) as queries:
        assert get(host("acme")).status_code == 403

    assert len(queries) == 0, [query["sql"] for query in queries]


def test_the_maintenance_bypass_link_lets_its_holder_through(acme):
    set_status(acme, Status.MAINTENANCE)
    operator = HttpClient(headers={"host": host("acme")})

    handed = operator.get(bypass_link_path(acme))
    served = operator.get("/accounts/login/")

    assert handed.status_code == 302 and handed["Location"] == "/"
    assert handed.cookies[BYPASS_COOKIE]["httponly"]
    assert served.status_code == 200 and acme.name in served.content.decode()
    assert HttpClient(headers={"host": host("acme")}).get("/").status_code == 503


def test_a_bypass_works_only_for_its_workspace(acme, globex):
    set_status(acme, Status.MAINTENANCE)
    set_status(globex, Status.MAINTENANCE)
    token = bypass_link_path(acme).partition("token=")[2]

    link_elsewhere = get(host("globex"), bypass_link_path(acme))
    cookie_elsewhere = get(host("globex"), "/", HTTP_COOKIE=f"{BYPASS_COOKIE}={token}")

    assert link_elsewhere.status_code == 503 and BYPASS_COOKIE not in link_elsewhere.cookies
    assert cookie_elsewhere.status_code == 503


def test_an_expired_bypass_opens_nothing(acme):
    set_status(acme, Status.MAINTENANCE)
    expired = bypass_link_path(acme, valid_for=-1)

    response = get(host("acme"), expired)
    token = expired.partition("token=")[2]
    with_cookie = get(host("acme"), "/", HTTP_COOKIE=f"{BYPASS_COOKIE}={token}")

    assert response.status_code == 503 and BYPASS_COOKIE not in response.cookies
    assert with_cookie.status_code == 503


def test_a_bypass_from_an_earlier_maintenance_opens_nothing(acme):
    set_status(acme, Status.MAINTENANCE, status_changed_at=timezone.now() - timedelta(hours=1))
    earlier = bypass_link_path(acme).partition("token=")[2]
    set_status(acme, Status.MAINTENANCE)  # a new maintenance window

    response = get(host("acme"), "/", HTTP_COOKIE=f"{BYPASS_COOKIE}={earlier}")

    assert response.status_code == 503


def test_a_forged_bypass_opens_nothing(acme):
    set_status(acme, Status.MAINTENANCE)

    response = get(host("acme"), "/", HTTP_COOKIE=f"{BYPASS_COOKIE}=acme:forged")

    assert response.status_code == 503


def test_run_in_every_tenant_skips_tenants_that_are_not_active(acme, globex):
    set_status(acme, Status.SUSPENDED)

    sent_to = run_in_every_tenant.apply(["tenant_app.tasks.project_names"]).get()

    assert "globex" in sent_to and "acme" not in sent_to


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.MAINTENANCE, Status.PENDING_DELETION])
def test_a_task_sent_to_a_tenant_that_is_not_active_is_dropped_with_a_log_line(
    acme, status, caplog
):
    set_status(acme, status)
    project_names.push_request(pgschemas_schema="acme")
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(Ignore):
            project_names.before_start("task-1", (), {})
    finally:
        project_names.pop_request()

    assert f"the tenant 'acme' is {status}" in caplog.text


@pytest.fixture
def acme_restored(committed_db):
    """The state changes are committed for the servers: acme is active again afterwards."""
    yield Client.objects.get(schema_name="acme")
    Client.objects.filter(schema_name="acme").update(status=Status.ACTIVE, status_changed_at=None)


@pytest.mark.processes
def test_a_suspension_reaches_every_web_process_within_the_check_interval(acme_restored):
    with web_processes(3) as urls:
        assert {fetch(url, host("acme"))[0] for url in urls} == {200}  # its log-in page

        Client.objects.filter(pk=acme_restored.pk).update(status=Status.SUSPENDED)  # no signal
        suspended = answers_after_change(urls)
        Client.objects.filter(pk=acme_restored.pk).update(status=Status.ACTIVE)
        resumed = answers_after_change(urls)

    assert suspended == {403} and resumed == {200}


def answers_after_change(urls: list[str], seconds: float = 2.0) -> set[int]:
    """Poll every server for acme for ``seconds``; the statuses answered after the first second
    (the check interval is half of it)."""
    start, late = time.monotonic(), set()
    while time.monotonic() - start < seconds:
        for url in urls:
            status = fetch(url, host("acme"))[0]
            if time.monotonic() - start > PROPAGATION_SECONDS:
                late.add(status)
    return late


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.MAINTENANCE, Status.PENDING_DELETION])
def test_a_status_page_allows_its_own_style_only_and_keeps_https_rules(acme, settings, status):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = True
    set_status(acme, status)

    over_http = get(host("acme"), "/settings/")
    response = get(host("acme"), "/settings/", secure=True)

    assert over_http.status_code == 301 and over_http["Location"].startswith("https://")
    assert response.status_code in (403, 410, 503)
    assert response["Strict-Transport-Security"].startswith("max-age=3600")
    (style,) = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; ")
    assert f"style-src 'sha256-{digest}';" in policy and "script-src" not in policy

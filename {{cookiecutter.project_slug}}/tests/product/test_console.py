"""The operator console on www: www's staff only; every workspace with its state and figures, a
search, a status filter and pages of 50 at a fixed number of queries; the lifecycle actions,
each with a reason."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pgschemas.schema import StaticSchema
from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import Client, Domain, OperatorAction, TenantStats
from shared_app.stats import gather_stats

from ..conftest import host
from ..factories import UserFactory

OPERATOR = "operator@example.com"
WWW = django_settings.DOMAIN_NAME


@pytest.fixture
def operator(db) -> HttpClient:
    http = HttpClient(headers={"host": WWW})
    with StaticSchema("www"):
        http.force_login(UserFactory(email=OPERATOR, is_staff=True))
    return http


def many_workspaces(count: int) -> None:
    """Rows only (bulk_create makes no schema): enough to fill pages of the list."""
    now = timezone.now()
    clients = Client.objects.bulk_create(
        Client(schema_name=f"bulk{n}", name=f"Bulk {n}") for n in range(count)
    )
    Domain.objects.bulk_create(
        Domain(tenant=client, domain=host(client.schema_name), is_primary=True)
        for client in clients
    )
    TenantStats.objects.bulk_create(
        TenantStats(tenant=client, members=3, size_bytes=10**6, gathered_at=now)
        for client in clients
    )


def test_the_console_is_for_www_staff_only(db, acme):
    anonymous = HttpClient(headers={"host": WWW}).get("/console/")
    customer = HttpClient(headers={"host": WWW})
    with StaticSchema("www"):
        customer.force_login(UserFactory(email="not-staff@example.com"))

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    assert customer.get("/console/").status_code == 302
    assert customer.post("/console/acme/do/suspend/", {"suspend-reason": "x"}).status_code == 302
    assert HttpClient(headers={"host": host("acme")}).get("/console/").status_code != 200
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_the_list_shows_each_workspace_with_its_state_and_figures(operator, acme, globex):
    lifecycle.suspend(globex, by=OPERATOR, reason="unpaid")
    gather_stats()

    page = operator.get("/console/").content.decode()

    assert "Acme" in page and host("acme") in page and "Globex" in page
    assert "Suspended" in page
    size = TenantStats.objects.get(tenant=acme).size_bytes
    assert size > 0


def test_search_and_status_filter(operator, acme, globex):
    lifecycle.suspend(globex, by=OPERATOR, reason="unpaid")

    suspended = operator.get("/console/", {"status": "suspended"}).content.decode()
    by_domain = operator.get("/console/", {"q": "acme."}).content.decode()

    # Each workspace's row links to its page (the project's own name may contain "Acme").
    assert "/console/globex/" in suspended and "/console/acme/" not in suspended
    assert "/console/acme/" in by_domain and "/console/globex/" not in by_domain


def test_pages_of_50_cost_the_same_queries_whatever_the_number_of_workspaces(operator, acme):
    operator.get("/console/")  # session and user cached like any later request

    with CaptureQueriesContext(connection) as few:
        operator.get("/console/")
    many_workspaces(120)
    with CaptureQueriesContext(connection) as first:
        page_one = operator.get("/console/")
    with CaptureQueriesContext(connection) as last:
        page_three = operator.get("/console/", {"page": 3})

    assert page_one.content.decode().count("/console/bulk") == 50
    assert "Page 3 of 3" in page_three.content.decode()
    assert len(few) == len(first) == len(last), [q["sql"] for q in first]


def test_an_action_with_a_reason_is_run_and_recorded(operator, acme):
    response = operator.post("/console/acme/do/suspend/", {"suspend-reason": "unpaid"})

    assert response.status_code == 302 and response["Location"] == "/console/acme/"
    assert Client.objects.get(pk=acme.pk).status == Status.SUSPENDED
    record = OperatorAction.objects.get()
    assert (record.action, record.actor, record.reason) == ("suspend", OPERATOR, "unpaid")
    assert "unpaid" in operator.get("/console/acme/").content.decode()


def test_an_action_without_a_reason_is_refused(operator, acme):
    response = operator.post("/console/acme/do/suspend/", {"suspend-reason": "  "})

    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_an_unknown_or_inapplicable_action_changes_nothing(operator, acme):
    unknown = operator.post("/console/acme/do/explode/", {"explode-reason": "x"})
    inapplicable = operator.post("/console/acme/do/resume/", {"resume-reason": "x"}, follow=True)

    assert unknown.status_code == 404
    assert "Acme is active" in inapplicable.content.decode()
    assert not OperatorAction.objects.exists()


def test_the_page_offers_only_the_actions_that_apply(operator, acme):
    page = operator.get("/console/acme/").content.decode()

    assert "/console/acme/do/suspend/" in page and "/console/acme/do/resume/" not in page


def test_maintenance_offers_a_bypass_link_that_opens_the_workspace(operator, acme):
    lifecycle.start_maintenance(acme, by=OPERATOR, reason="reindex")

    page = operator.get("/console/acme/").content.decode()
    link = page.split('href="http://' + host("acme"))[1].split('"')[0].replace("&amp;", "&")
    visitor = HttpClient(headers={"host": host("acme")})

    assert visitor.get("/").status_code == 503
    assert visitor.get(link).status_code == 302 and visitor.get("/").status_code == 302


def test_the_console_renames_a_workspace(operator, acme):
    response = operator.post(
        "/console/acme/rename/", {"rename-subdomain": "acmeco", "rename-reason": "rebrand"}
    )

    assert response.status_code == 302
    assert Client.objects.get(pk=acme.pk).primary_domain == host("acmeco")


def test_a_refused_rename_says_why(operator, acme):
    response = operator.post(
        "/console/acme/rename/", {"rename-subdomain": "globex", "rename-reason": "rebrand"}
    )

    assert response.status_code == 400 and "already taken" in response.content.decode()


def test_gathering_counts_members_size_and_last_activity(acme):
    with acme:
        UserFactory(email="one@example.com", last_login=timezone.now())
        UserFactory(email="two@example.com")

    assert gather_stats() >= 2
    stats = TenantStats.objects.get(tenant=acme)
    assert stats.members == 2 and stats.size_bytes > 0 and stats.last_activity is not None


def test_gathering_skips_the_last_activity_of_a_workspace_without_a_schema(acme):
    many_workspaces(1)  # a row without a schema

    gather_stats()

    stats = TenantStats.objects.get(tenant__schema_name="bulk0")
    assert (stats.size_bytes, stats.last_activity) == (0, None)

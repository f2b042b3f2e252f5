"""A failed payment: past due with a banner for owners, suspended (recorded) after the grace
period, owners still reaching the billing pages to pay, resumed at once when paid."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from billing_app.tasks import suspend_unpaid_workspaces
from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import BillingStatus, Client, OperatorAction

from ..conftest import host
from ..factories import OwnerFactory, UserFactory
from ..fake_stripe import fixture
from .billing import send, subscription

pytestmark = pytest.mark.billing


def past_due(tenant: Client, days: float) -> None:
    Client.objects.filter(pk=tenant.pk).update(
        billing_status=BillingStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=days),
    )


def logged_in(tenant: Client, user_factory=UserFactory) -> HttpClient:
    http = HttpClient(headers={"host": host(tenant.schema_name)})
    with tenant:
        http.force_login(user_factory())
    return http


def test_owners_of_a_past_due_workspace_see_a_banner_to_pay(db, acme):
    past_due(acme, 1)

    owner_page = logged_in(acme, OwnerFactory).get("/").content.decode()
    member_page = logged_in(acme).get("/").content.decode()

    assert "Your last payment failed." in owner_page
    assert "Your last payment failed." not in member_page


def test_the_workspace_is_suspended_after_the_grace_period_recorded(db, acme, globex, settings):
    settings.BILLING_GRACE_DAYS = 7
    past_due(acme, 7.01)
    past_due(globex, 6.9)

    assert suspend_unpaid_workspaces.delay().get() == ["acme"]

    acme.refresh_from_db()
    globex.refresh_from_db()
    assert (acme.status, acme.status_changed_by) == (Status.SUSPENDED, "billing")
    assert acme.status_reason.startswith("billing: unpaid for 7 days")
    assert globex.status == Status.ACTIVE
    assert OperatorAction.objects.get(tenant=acme).action == "suspend"


@pytest.fixture
def unpaid_acme(db, acme) -> Client:
    past_due(acme, 30)
    suspend_unpaid_workspaces.delay()
    acme.refresh_from_db()
    return acme


def test_owners_of_a_workspace_suspended_for_billing_still_reach_billing(unpaid_acme):
    owner = logged_in(unpaid_acme, OwnerFactory)
    member = logged_in(unpaid_acme)
    anonymous = HttpClient(headers={"host": host("acme")})

    assert owner.get("/billing/").status_code == 200
    assert "suspended until its invoice is paid" in owner.get("/billing/").content.decode()
    assert owner.get("/").status_code == 403  # the rest stays closed
    assert member.get("/billing/").status_code == 403
    assert anonymous.get("/billing/")["Location"] == "/accounts/login/?next=/billing/"
    assert anonymous.get("/accounts/login/?next=/billing/").status_code == 200


def test_a_workspace_an_operator_suspended_stays_closed_to_its_owners(db, acme):
    lifecycle.suspend(acme, by="operator@example.com", reason="abuse")

    assert logged_in(acme, OwnerFactory).get("/billing/").status_code == 403


def test_paying_resumes_the_workspace_at_once(acme_billed, live_server_url):
    past_due(acme_billed, 30)
    suspend_unpaid_workspaces.delay()
    assert Client.objects.get(pk=acme_billed.pk).status == Status.SUSPENDED

    status, answer = send(live_server_url, "customer.subscription.updated", subscription("active"))

    acme = Client.objects.get(pk=acme_billed.pk)
    assert (status, answer) == (200, {"outcome": "handled"})
    assert (acme.status, acme.billing_status) == (Status.ACTIVE, BillingStatus.ACTIVE)
    assert acme.past_due_since is None
    resumed = OperatorAction.objects.filter(tenant=acme, action="resume").get()
    assert resumed.actor == "billing"


def test_an_invoice_paid_resumes_too(acme_billed, live_server_url):
    past_due(acme_billed, 30)
    suspend_unpaid_workspaces.delay()

    send(live_server_url, "invoice.paid", fixture("invoice", customer="cus_acme", status="paid"))

    acme = Client.objects.get(pk=acme_billed.pk)
    assert (acme.status, acme.billing_status) == (Status.ACTIVE, BillingStatus.ACTIVE)


def test_a_failed_payment_makes_an_active_workspace_past_due(acme_billed, live_server_url):
    Client.objects.filter(pk=acme_billed.pk).update(billing_status=BillingStatus.ACTIVE)

    send(live_server_url, "invoice.payment_failed", fixture("invoice", customer="cus_acme"))

    acme = Client.objects.get(pk=acme_billed.pk)
    assert acme.billing_status == BillingStatus.PAST_DUE and acme.past_due_since is not None
    assert acme.status == Status.ACTIVE  # open during the grace period


def test_without_the_setting_a_suspended_workspace_serves_nothing(unpaid_acme, settings):
    settings.PGSCHEMAS_SUSPENDED_SERVES = ""

    assert logged_in(unpaid_acme, OwnerFactory).get("/billing/").status_code == 403

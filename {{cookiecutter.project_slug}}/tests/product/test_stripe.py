"""Paying with Stripe, against the local fake of its API (tests/fake_stripe, Stripe's own
fixtures): Checkout and the Customer Portal from the workspace, and Stripe's signed events
posted over HTTP to www's /billing/webhook/, each handled once."""

import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from billing_app.models import StripeEvent
from billing_app.stripe_api import checkout_url
from billing_app.tasks import sync_seats
from shared_app.models import BillingStatus, Client, OperatorAction, Plan

from ..conftest import host
from ..factories import OwnerFactory, UserFactory
from ..fake_stripe import FakeStripe, event, fixture, signature
from .billing import post_webhook, send, subscription

pytestmark = pytest.mark.billing


def owner_of(tenant: Client, client):
    with tenant:
        client.force_login(OwnerFactory())
        UserFactory()  # a second member: two seats
    return client


# Checkout and the portal (the workspace's pages, against the fake Stripe)


def test_upgrade_opens_checkout_for_a_subscription_per_seat(
    client, acme, fake_stripe: FakeStripe, priced_plans
):
    owner_of(acme, client)
    acme_host = {"host": host("acme")}

    response = client.post(
        "/billing/upgrade/", {"plan": "pro", "interval": "year"}, headers=acme_host
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake_stripe.url}/checkout/cs_test")
    (customer,) = fake_stripe.calls("/v1/customers")
    (checkout,) = fake_stripe.calls("/v1/checkout/sessions")
    assert customer["params"]["metadata[schema_name]"] == "acme"
    assert checkout["params"]["mode"] == "subscription"
    assert checkout["params"]["line_items[0][price]"] == "price_pro_year"
    assert checkout["params"]["line_items[0][quantity]"] == "2"
    acme.refresh_from_db()
    assert checkout["params"]["customer"] == acme.stripe_customer_id


def test_manage_billing_opens_the_customer_portal_of_the_workspace(
    client, acme, fake_stripe, priced_plans
):
    owner_of(acme, client)
    acme_host = {"host": host("acme")}

    response = client.post("/billing/manage/", headers=acme_host)

    assert response["Location"].startswith(f"{fake_stripe.url}/portal/bps_test")
    (portal,) = fake_stripe.calls("/v1/billing_portal/sessions")
    assert portal["params"]["return_url"] == f"http://{host('acme')}/billing/"


def test_only_owners_upgrade(member_client, acme, fake_stripe, priced_plans):
    response = member_client(acme).post("/billing/upgrade/", {"plan": "pro"})

    assert response.status_code == 403
    assert fake_stripe.state()["calls"] == []


def test_without_a_stripe_key_billing_is_off_with_a_message(client, acme, settings):
    settings.STRIPE_SECRET_KEY = ""
    owner_of(acme, client)

    response = client.post(
        "/billing/upgrade/", {"plan": "pro"}, headers={"host": host("acme")}, follow=True
    )

    assert "Payments are not set up on this site" in response.content.decode()


def test_a_plan_without_a_stripe_price_is_refused_with_a_message(client, acme, fake_stripe):
    owner_of(acme, client)

    response = client.post(
        "/billing/upgrade/", {"plan": "pro"}, headers={"host": host("acme")}, follow=True
    )

    assert "The Pro plan cannot be bought online yet." in response.content.decode()
    assert fake_stripe.calls("/v1/checkout/sessions") == []


# Webhooks, over HTTP, on committed data


def test_checkout_completed_puts_the_workspace_on_the_paid_plan(
    acme_billed, fake_stripe, live_server_url
):
    Client.objects.filter(pk=acme_billed.pk).update(stripe_customer_id="")
    acme_billed.stripe_customer_id = ""
    url = checkout_url(
        acme_billed,
        email="o@example.com",
        plan=Plan.objects.get(slug="business"),
        interval="month",
        seats=3,
        back_to="http://acme.example.com/billing/",
    )
    session = fake_stripe.pay(url.rsplit("/", 1)[1])

    status, answer = send(live_server_url, "checkout.session.completed", session)

    acme = Client.objects.get(pk=acme_billed.pk)
    assert (status, answer) == (200, {"outcome": "handled"})
    assert (acme.plan.slug, acme.billing_status) == ("business", BillingStatus.ACTIVE)
    assert acme.stripe_subscription_id == session["subscription"] and acme.paid_until


def test_a_replayed_event_is_a_no_op(acme_billed, live_server_url):
    first = send(
        live_server_url,
        "invoice.payment_failed",
        fixture("invoice", customer="cus_acme"),
        "evt_once",
    )
    Client.objects.filter(pk=acme_billed.pk).update(billing_status=BillingStatus.ACTIVE)

    again = send(
        live_server_url,
        "invoice.payment_failed",
        fixture("invoice", customer="cus_acme"),
        "evt_once",
    )

    assert first[1] == {"outcome": "handled"} and again[1] == {"outcome": "replay"}
    assert Client.objects.get(pk=acme_billed.pk).billing_status == BillingStatus.ACTIVE
    assert StripeEvent.objects.filter(pk="evt_once").count() == 1


@pytest.mark.parametrize("header", [None, "t=1,v1=00", "wrong secret"])
def test_a_webhook_without_a_valid_signature_is_refused_and_changes_nothing(
    acme_billed, live_server_url, header
):
    body = json.dumps(event("customer.subscription.deleted", subscription())).encode()
    if header == "wrong secret":
        header = signature(body, secret="whsec_someone_else")

    status, _ = post_webhook(live_server_url, body, header)

    assert status == 400
    assert Client.objects.get(pk=acme_billed.pk).billing_status == acme_billed.billing_status
    assert not StripeEvent.objects.exists()


def test_an_event_for_an_unknown_customer_is_logged_and_changes_nothing(
    acme_billed, live_server_url
):
    status, answer = send(
        live_server_url, "invoice.payment_failed", fixture("invoice", customer="cus_nobody")
    )

    assert (status, answer) == (200, {"outcome": "unknown customer"})
    assert not StripeEvent.objects.exists()
    assert not OperatorAction.objects.filter(tenant=acme_billed).exists()


def test_subscription_updated_then_cancelled(acme_billed, live_server_url):
    send(live_server_url, "customer.subscription.updated", subscription("active"))
    assert Client.objects.get(pk=acme_billed.pk).billing_status == BillingStatus.ACTIVE

    send(live_server_url, "customer.subscription.deleted", subscription("canceled"))

    acme = Client.objects.get(pk=acme_billed.pk)
    assert (acme.billing_status, acme.plan.slug) == (BillingStatus.CANCELED, "free")
    recorded = OperatorAction.objects.filter(tenant=acme, action="billing_status")
    assert [action.details["to"] for action in recorded.order_by("pk")] == ["active", "canceled"]


def test_two_events_for_one_workspace_handled_at_once(acme_billed, live_server_url):
    Client.objects.filter(pk=acme_billed.pk).update(billing_status=BillingStatus.ACTIVE)
    answers = []
    events = [
        ("invoice.payment_failed", fixture("invoice", customer="cus_acme")),
        ("customer.subscription.updated", subscription("past_due", "price_business_month")),
    ]
    threads = [
        threading.Thread(target=lambda e=e: answers.append(send(live_server_url, *e)))
        for e in events
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    acme = Client.objects.get(pk=acme_billed.pk)
    assert sorted(answer[1]["outcome"] for answer in answers) == ["handled", "handled"]
    assert (acme.billing_status, acme.plan.slug) == (BillingStatus.PAST_DUE, "business")
    assert acme.past_due_since is not None
    assert StripeEvent.objects.count() == 2
    assert OperatorAction.objects.filter(tenant=acme, action="billing_status").count() == 1


def test_seats_follow_the_members(acme_billed, fake_stripe):
    Client.objects.filter(pk=acme_billed.pk).update(stripe_customer_id="")
    acme_billed.stripe_customer_id = ""
    url = checkout_url(
        acme_billed,
        email="owner@seats.test",
        plan=Plan.objects.get(slug="pro"),
        interval="month",
        seats=1,
        back_to="http://acme.example.com/billing/",
    )
    subscription_id = fake_stripe.pay(url.rsplit("/", 1)[1])["subscription"]
    Client.objects.filter(pk=acme_billed.pk).update(stripe_subscription_id=subscription_id)
    acme = Client.objects.get(pk=acme_billed.pk)
    http = HttpClient(headers={"host": host("acme")})
    with acme:
        http.force_login(OwnerFactory(email="owner@seats.test"))
        UserFactory(email="one@seats.test")
        leaving = UserFactory(email="two@seats.test")
    try:
        http.post(f"/members/{leaving.pk}/remove/")  # 3 members, then 2: sent once committed

        quantity = fake_stripe.state()["objects"][subscription_id]["items"]["data"][0]["quantity"]
        assert quantity == 2
        item_path = "/v1/subscription_items/" + item_of(fake_stripe, subscription_id)
        assert len(fake_stripe.calls(item_path)) == 1
        assert sync_seats.delay("acme").get() is None  # already right: nothing sent again
    finally:
        with acme:
            get_user_model().objects.filter(email__endswith="@seats.test").delete()


def item_of(fake_stripe: FakeStripe, subscription_id: str) -> str:
    return fake_stripe.state()["objects"][subscription_id]["items"]["data"][0]["id"]

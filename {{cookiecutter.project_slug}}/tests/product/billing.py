"""Stripe's side of the billing tests: webhook events signed and posted over HTTP to www."""

import json
import urllib.error
import urllib.request

from django.conf import settings

from shared_app.models import Plan

from ..fake_stripe import event, fixture, signature

RESTORED_FIELDS = [  # what a committed billing test changes on its tenant
    "plan",
    "billing_status",
    "trial_ends_at",
    "past_due_since",
    "paid_until",
    "stripe_customer_id",
    "stripe_subscription_id",
    "status",
    "status_changed_at",
    "status_changed_by",
    "status_reason",
]


def post_webhook(server_url: str, body: bytes, header: str | None) -> tuple[int, dict]:
    headers = {"Host": settings.DOMAIN_NAME, "Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    request = urllib.request.Request(f"{server_url}/billing/webhook/", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def send(server_url: str, kind: str, obj: dict, event_id: str = "") -> tuple[int, dict]:
    body = json.dumps(event(kind, obj, event_id)).encode()
    return post_webhook(server_url, body, signature(body))


def subscription(status: str = "active", price: str = "price_pro_month") -> dict:
    made = fixture("subscription", id="sub_acme", customer="cus_acme", status=status)
    made["items"]["data"][0]["price"]["id"] = price
    return made


def price_plans() -> None:
    """The paid plans with Stripe prices (the default set has none: the operator adds them)."""
    for slug in ("pro", "business"):
        Plan.objects.filter(slug=slug).update(
            stripe_monthly_price_id=f"price_{slug}_month",
            stripe_yearly_price_id=f"price_{slug}_year",
        )

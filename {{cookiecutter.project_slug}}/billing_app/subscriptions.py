"""A workspace's billing state, moved by what Stripe says about its subscription and invoices.

Each function gets the Client locked (``select_for_update``) by the webhook and saves it; a
change of state is recorded (``billing_status`` action, by ``billing``) for the console.

    trialing -> (checkout) active -> (payment failed) past_due -> (grace over) suspended
    past_due or suspended -> (invoice paid) active, resumed at once
    any -> (subscription deleted) canceled, on the free plan
"""

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import BillingStatus, Client, Plan

from . import ACTOR

FROM_STRIPE = {
    "active": BillingStatus.ACTIVE,
    "trialing": BillingStatus.ACTIVE,  # a trial given in Stripe: the plan is served in full
    "past_due": BillingStatus.PAST_DUE,
    "unpaid": BillingStatus.PAST_DUE,
    "canceled": BillingStatus.CANCELED,
    "incomplete_expired": BillingStatus.CANCELED,
}
SAVED = ["plan", "billing_status", "past_due_since", "paid_until", "stripe_subscription_id"]


def plan_of_price(price_id: str) -> Plan | None:
    by_month = Plan.objects.filter(stripe_monthly_price_id=price_id)
    return (by_month | Plan.objects.filter(stripe_yearly_price_id=price_id)).first()


def move_to(tenant: Client, status: BillingStatus, why: str) -> None:
    """Set the billing state (the caller saves); record it when it changes."""
    before = tenant.billing_status
    tenant.billing_status = status
    if status == BillingStatus.PAST_DUE:
        tenant.past_due_since = tenant.past_due_since or timezone.now()
    else:
        tenant.past_due_since = None
    if status == BillingStatus.CANCELED:
        tenant.plan = Plan.objects.filter(is_free=True).first()
    if before != status:
        lifecycle.record(tenant, "billing_status", by=ACTOR, reason=why, to=str(status))


def resume_if_suspended_for_billing(tenant: Client) -> None:
    if tenant.status == Status.SUSPENDED and tenant.status_changed_by == ACTOR:
        lifecycle.resume(tenant, by=ACTOR, reason="The workspace's invoice was paid.")


def apply_subscription(tenant: Client, subscription: dict[str, Any]) -> None:
    """The subscription as Stripe has it: its plan (from the price), state and period."""
    status = FROM_STRIPE.get(subscription["status"])
    if status is None:
        return  # incomplete: the first payment is under way, nothing changes yet
    item = subscription["items"]["data"][0]
    plan = plan_of_price(item["price"]["id"])
    if plan is not None and status != BillingStatus.CANCELED:
        tenant.plan = plan
    tenant.stripe_subscription_id = subscription["id"]
    period_end = item.get("current_period_end") or subscription.get("current_period_end")
    if period_end:
        tenant.paid_until = datetime.fromtimestamp(period_end, tz=UTC).date()
    move_to(tenant, status, f"Stripe: subscription {subscription['status']}.")
    tenant.save(update_fields=SAVED)
    if status == BillingStatus.ACTIVE:
        resume_if_suspended_for_billing(tenant)


def subscription_deleted(tenant: Client, subscription: dict[str, Any]) -> None:
    move_to(tenant, BillingStatus.CANCELED, "Stripe: subscription cancelled.")
    tenant.save(update_fields=SAVED)


def invoice_paid(tenant: Client, invoice: dict[str, Any]) -> None:
    if tenant.billing_status == BillingStatus.PAST_DUE:
        move_to(tenant, BillingStatus.ACTIVE, "Stripe: invoice paid.")
        tenant.save(update_fields=SAVED)
    resume_if_suspended_for_billing(tenant)


def payment_failed(tenant: Client, invoice: dict[str, Any]) -> None:
    if tenant.billing_status in (BillingStatus.ACTIVE, BillingStatus.PAST_DUE):
        move_to(tenant, BillingStatus.PAST_DUE, "Stripe: a payment failed.")
        tenant.save(update_fields=SAVED)

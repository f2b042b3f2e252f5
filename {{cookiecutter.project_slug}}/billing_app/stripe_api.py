"""The calls the product makes to Stripe, with the official SDK: a customer per workspace,
Checkout for a subscription (per seat), the Customer Portal.

Billing is on when ``STRIPE_SECRET_KEY`` is set. ``STRIPE_API_BASE`` (default Stripe's) exists
for the tests, which point it at a local server built on Stripe's published fixtures.
"""

import stripe
from django.conf import settings
from django.db import transaction

from shared_app.models import Client, Plan


class BillingUnavailable(Exception):
    """Billing is off (no ``STRIPE_SECRET_KEY``), the plan has no Stripe price, or Stripe
    refused the call: the message says which, for the page."""


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    if not enabled():
        raise BillingUnavailable("Payments are not set up on this site: contact us to upgrade.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def customer_of(tenant: Client, email: str) -> str:
    """The workspace's Stripe customer, created once (its id kept on the Client)."""
    if tenant.stripe_customer_id:
        return tenant.stripe_customer_id
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=tenant.pk)
        if not locked.stripe_customer_id:
            customer = client().v1.customers.create(
                params={
                    "email": email,
                    "name": locked.name,
                    "metadata": {"schema_name": locked.schema_name},
                },
                options={"idempotency_key": f"customer-{locked.pk}"},
            )
            locked.stripe_customer_id = customer.id
            locked.save(update_fields=["stripe_customer_id"])
    tenant.stripe_customer_id = locked.stripe_customer_id
    return tenant.stripe_customer_id


def price_of(plan: Plan, interval: str) -> str:
    price = plan.stripe_yearly_price_id if interval == "year" else plan.stripe_monthly_price_id
    if plan.is_free or not price:
        raise BillingUnavailable(f"The {plan.name} plan cannot be bought online yet.")
    return price


def checkout_url(
    tenant: Client, *, email: str, plan: Plan, interval: str, seats: int, back_to: str
) -> str:
    """A Checkout page for a subscription to ``plan``: one seat per member."""
    try:
        session = client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_of(tenant, email),
                "client_reference_id": tenant.schema_name,
                "line_items": [{"price": price_of(plan, interval), "quantity": max(seats, 1)}],
                "success_url": f"{back_to}?checkout=done",
                "cancel_url": back_to,
            }
        )
    except stripe.StripeError as error:
        raise BillingUnavailable(f"Stripe refused the checkout: {error.user_message}") from error
    return str(session.url)


def portal_url(tenant: Client, *, email: str, back_to: str) -> str:
    """The Customer Portal, where the owner changes the card, the plan, or cancels."""
    try:
        session = client().v1.billing_portal.sessions.create(
            params={"customer": customer_of(tenant, email), "return_url": back_to}
        )
    except stripe.StripeError as error:
        raise BillingUnavailable(f"Stripe refused the portal: {error.user_message}") from error
    return str(session.url)

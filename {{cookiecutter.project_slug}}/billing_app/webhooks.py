"""Stripe's events, verified and handled once each.

The body must carry a valid ``Stripe-Signature`` for ``STRIPE_WEBHOOK_SECRET``; the workspace
is the one whose Stripe customer the signed event names (``data.object.customer``), nothing
else in the request. The event id is recorded in the transaction that applies it, with the
workspace's row locked: a replay is a no-op, and two events for one workspace run one after
the other.
"""

import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from shared_app.models import Client

from . import subscriptions
from .models import StripeEvent
from .stripe_api import client

logger = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[Client, dict[str, Any]], None]] = {
    "checkout.session.completed": subscriptions.apply_subscription,  # with its subscription
    "customer.subscription.created": subscriptions.apply_subscription,
    "customer.subscription.updated": subscriptions.apply_subscription,
    "customer.subscription.deleted": subscriptions.subscription_deleted,
    "invoice.paid": subscriptions.invoice_paid,
    "invoice.payment_failed": subscriptions.payment_failed,
}


class BadWebhook(Exception):
    """Not a request from Stripe (no, or a wrong, signature) or not an event."""


class TryLater(Exception):
    """Stripe could not be asked what the event needs: Stripe sends it again later."""


def verified_event(payload: bytes, signature: str) -> stripe.Event:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadWebhook("STRIPE_WEBHOOK_SECRET is not set: no event can be verified.")
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BadWebhook(str(error)) from error


def subject_of(event: stripe.Event) -> dict[str, Any]:
    """What the handler applies (as a dict): the event's object, or for a completed checkout
    the subscription it started (asked from Stripe, before any lock is taken)."""
    found = event.data.object.to_dict()
    if event.type == "checkout.session.completed":
        subscription = client().v1.subscriptions.retrieve(found["subscription"]).to_dict()
        if subscription["customer"] != found["customer"]:
            raise BadWebhook("The checkout's subscription belongs to another customer.")
        return subscription
    return found


def handle(payload: bytes, signature: str) -> str:
    """Apply one webhook; what was done (for the response and the log)."""
    event = verified_event(payload, signature)
    handler = HANDLERS.get(event.type)
    if handler is None:
        return "ignored"
    try:
        subject = subject_of(event)
    except stripe.StripeError as error:
        raise TryLater(str(error)) from error
    customer = event.data.object.to_dict().get("customer") or ""
    with transaction.atomic():
        tenant = Client.objects.select_for_update().filter(stripe_customer_id=customer).first()
        if not customer or tenant is None:
            logger.warning("Stripe event %s for unknown customer %r", event.id, customer)
            return "unknown customer"
        try:
            with transaction.atomic():
                StripeEvent.objects.create(id=event.id, type=event.type, customer=customer)
        except IntegrityError:
            return "replay"
        handler(tenant, subject)
    return "handled"

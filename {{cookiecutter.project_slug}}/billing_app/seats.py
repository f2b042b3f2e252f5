"""Seats follow the members: the subscription's quantity is the workspace's active members.

After a member joins or leaves, ``billing_app.tasks.seats_changed`` sends the task that calls
``sync``: it sets the absolute quantity, so a retry, or two tasks for one change, leave the same
result.
"""

from django.contrib.auth import get_user_model

from shared_app.models import Client

from . import stripe_api


def seats(tenant: Client) -> int:
    """The seats the workspace pays for: its active members, at least one (one query in its
    schema)."""
    with tenant:
        return max(get_user_model().objects.filter(is_active=True).count(), 1)


def sync(schema_name: str) -> int | None:
    """Set the subscription's quantity to the members of ``schema_name``; the quantity set, or
    None when nothing had to change."""
    tenant = Client.objects.get(schema_name=schema_name)
    if not tenant.stripe_subscription_id:
        return None
    quantity = seats(tenant)
    stripe = stripe_api.client()
    subscription = stripe.v1.subscriptions.retrieve(tenant.stripe_subscription_id)
    item = subscription["items"]["data"][0]
    if item["quantity"] == quantity:
        return None
    stripe.v1.subscription_items.update(item["id"], params={"quantity": quantity})
    return quantity

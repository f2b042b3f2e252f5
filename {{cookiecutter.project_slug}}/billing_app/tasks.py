"""Periodic billing work, run by beat in public (CELERY_BEAT_SCHEDULE)."""

import stripe
from django.db import transaction

from config.celery_app import app
from shared_app.models import Client

from . import stripe_api
from .seats import sync
from .trials import end_trials
from .unpaid import suspend_unpaid


@app.task(name="billing_app.end_trials")
def end_ended_trials() -> list[str]:
    """Move the workspaces whose trial is over to the free plan (or suspend them)."""
    return end_trials()


@app.task(name="billing_app.suspend_unpaid")
def suspend_unpaid_workspaces() -> list[str]:
    """Suspend the workspaces whose failed payment is older than BILLING_GRACE_DAYS."""
    return suspend_unpaid()


@app.task(
    name="billing_app.sync_seats",
    autoretry_for=(stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError),
    retry_backoff=True,
    max_retries=8,
)
def sync_seats(schema_name: str) -> int | None:
    """Set the workspace's subscription quantity to its members (billing_app.seats)."""
    return sync(schema_name)


def seats_changed(tenant: Client) -> None:
    """A member joined or left ``tenant``: sync its seats once the change is committed."""
    if tenant.stripe_subscription_id and stripe_api.enabled():
        transaction.on_commit(lambda: sync_seats.delay(tenant.schema_name))

"""Workspaces whose payment failed: open for ``BILLING_GRACE_DAYS`` (default 7) with a banner
for owners, then suspended through shared_app.lifecycle (recorded, by ``billing``). Paying
resumes them at once (billing_app.subscriptions)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import BillingStatus, Client

from . import ACTOR


def grace_over() -> list[Client]:
    since = timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS)
    unpaid = Client.objects.filter(billing_status=BillingStatus.PAST_DUE, status=Status.ACTIVE)
    return list(unpaid.filter(past_due_since__lte=since).order_by("pk"))


def suspend_unpaid() -> list[str]:
    """Suspend each workspace past its grace period; their schema names."""
    suspended = []
    for tenant in grace_over():
        try:
            lifecycle.suspend(
                tenant,
                by=ACTOR,
                reason=f"billing: unpaid for {settings.BILLING_GRACE_DAYS} days after a failed "
                "payment.",
            )
        except lifecycle.ActionRefused:
            continue  # its state changed meanwhile (an operator, a deletion)
        suspended.append(tenant.schema_name)
    return suspended

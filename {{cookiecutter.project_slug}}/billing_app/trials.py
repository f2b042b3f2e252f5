"""The end of a workspace's trial: without a subscription it goes to the free plan, or is
suspended (``BILLING_TRIAL_END = "suspend"``) through shared_app.lifecycle, which records it."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_app import lifecycle
from shared_app.models import BillingStatus, Client, Plan

from . import ACTOR


def ended_trials() -> list[Client]:
    trialing = Client.objects.filter(billing_status=BillingStatus.TRIALING)
    return list(trialing.filter(trial_ends_at__lte=timezone.now()).order_by("pk"))


def end_trial(tenant: Client) -> None:
    """Move one workspace off its ended trial, recorded as the action ``trial_ended``."""
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=tenant.pk)
        if locked.billing_status != BillingStatus.TRIALING:
            return  # a subscription started meanwhile
        locked.billing_status = BillingStatus.FREE
        locked.plan = Plan.objects.filter(is_free=True).first()
        locked.save(update_fields=["billing_status", "plan"])
        lifecycle.record(
            locked, "trial_ended", by=ACTOR, reason="The trial ended without a subscription."
        )
    if settings.BILLING_TRIAL_END == "suspend" and lifecycle.ACTIONS["suspend"].applies_to(locked):
        lifecycle.suspend(locked, by=ACTOR, reason="The trial ended without a subscription.")


def end_trials() -> list[str]:
    """End every trial that is over; the schema names of the workspaces moved."""
    ended = ended_trials()
    for tenant in ended:
        end_trial(tenant)
    return [tenant.schema_name for tenant in ended]

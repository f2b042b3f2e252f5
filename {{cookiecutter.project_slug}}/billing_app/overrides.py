"""The operator's overrides of a workspace's billing, offered in the console with the lifecycle
actions (shared_app.lifecycle) and recorded like them, with their reason, in the transaction
that makes the change:

- **comp a plan**: the workspace is on the plan chosen, without Stripe (no charge), until an
  operator changes it again; refused while it pays through a Stripe subscription, whose events
  would set the plan back;
- **extend the trial** by a number of days: its trial ends that much later.
"""

from datetime import timedelta

from django import forms
from django.db import transaction

from shared_app.forms import ReasonForm
from shared_app.lifecycle import Action, ActionRefused, clean_reason, record, register
from shared_app.models import BillingStatus, Client, OperatorAction, Plan

MAX_TRIAL_EXTENSION_DAYS = 365
PAYING = frozenset({BillingStatus.ACTIVE, BillingStatus.PAST_DUE})


class CompPlanForm(ReasonForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), empty_label=None)
    field_order = ["plan", "reason"]


class ExtendTrialForm(ReasonForm):
    days = forms.IntegerField(min_value=1, max_value=MAX_TRIAL_EXTENSION_DAYS, initial=14)
    field_order = ["days", "reason"]


def comp_plan(tenant: Client, *, by: str, reason: str, plan: Plan) -> OperatorAction:
    """Put the workspace on ``plan`` without Stripe: its trial or past-due state ends."""
    reason = clean_reason(reason)
    with transaction.atomic():
        locked = (
            Client.objects.select_for_update(of=("self",)).select_related("plan").get(pk=tenant.pk)
        )
        if locked.stripe_subscription_id and locked.billing_status in PAYING:
            raise ActionRefused(
                f"{locked.name} pays through Stripe (subscription "
                f"{locked.stripe_subscription_id}): change its plan there, or cancel the "
                "subscription first."
            )
        plan_before, status_before = str(locked.plan), locked.billing_status
        locked.plan = plan
        locked.billing_status = BillingStatus.FREE if plan.is_free else BillingStatus.ACTIVE
        locked.trial_ends_at = None
        locked.past_due_since = None
        locked.save(update_fields=["plan", "billing_status", "trial_ends_at", "past_due_since"])
        done = record(
            locked,
            "comp_plan",
            by=by,
            reason=reason,
            plan=plan.slug,
            plan_before=plan_before,
            status_before=status_before,
        )
    tenant.plan, tenant.billing_status = locked.plan, locked.billing_status
    tenant.trial_ends_at = tenant.past_due_since = None
    return done


def extend_trial(tenant: Client, *, by: str, reason: str, days: int) -> OperatorAction:
    """Move the end of the workspace's trial ``days`` later; refused when it is not on one."""
    reason = clean_reason(reason)
    if not 1 <= days <= MAX_TRIAL_EXTENSION_DAYS:
        raise ActionRefused(f"Extend a trial by 1 to {MAX_TRIAL_EXTENSION_DAYS} days.")
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=tenant.pk)
        if locked.billing_status != BillingStatus.TRIALING or locked.trial_ends_at is None:
            raise ActionRefused(
                f"{locked.name} is not on a trial ({locked.get_billing_status_display().lower()}):"
                " comp it a plan instead."
            )
        locked.trial_ends_at += timedelta(days=days)
        locked.save(update_fields=["trial_ends_at"])
        done = record(
            locked,
            "extend_trial",
            by=by,
            reason=reason,
            days=days,
            trial_ends_at=locked.trial_ends_at.isoformat(),
        )
    tenant.trial_ends_at = locked.trial_ends_at
    return done


def register_actions() -> None:
    register(Action("comp_plan", "Comp a plan", comp_plan, form=CompPlanForm))
    register(Action("extend_trial", "Extend the trial", extend_trial, form=ExtendTrialForm))

"""Trials: a new workspace tries the first paid plan; the periodic task moves an ended trial to
the free plan, or suspends the workspace (recorded), by setting."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from billing_app.tasks import end_ended_trials
from pgschemas.states import Status
from shared_app.models import BillingStatus, Client, OperatorAction

from ..factories import ClientFactory

pytestmark = pytest.mark.billing


def ended(tenant: Client) -> Client:
    Client.objects.filter(pk=tenant.pk).update(trial_ends_at=timezone.now() - timedelta(hours=1))
    return tenant


def test_a_new_workspace_tries_the_first_paid_plan_for_the_trial_days(db, settings):
    settings.BILLING_TRIAL_DAYS = 10

    tenant = ClientFactory(schema_name="newcomer")

    assert (tenant.plan.slug, tenant.billing_status) == ("pro", BillingStatus.TRIALING)
    days = (tenant.trial_ends_at - timezone.now()) / timedelta(days=1)
    assert 9.99 < days <= 10
    assert tenant.trial_days_left == 10


def test_the_workspace_shows_the_days_left(member_client, acme):
    Client.objects.filter(pk=acme.pk).update(trial_ends_at=timezone.now() + timedelta(days=3))

    page = member_client(acme).get("/").content.decode()

    assert "Pro trial: 3 days left." in page


def test_an_ended_trial_goes_to_the_free_plan_recorded(db, acme, globex):
    ended(acme)

    moved = end_ended_trials.delay().get()

    acme.refresh_from_db()
    globex.refresh_from_db()
    assert moved == ["acme"]
    assert (acme.plan.slug, acme.billing_status, acme.status) == ("free", "free", Status.ACTIVE)
    assert globex.billing_status == BillingStatus.TRIALING  # its trial is not over
    action = OperatorAction.objects.get(tenant=acme)
    assert (action.action, action.actor) == ("trial_ended", "billing")


def test_an_ended_trial_suspends_the_workspace_by_setting(db, acme, settings):
    settings.BILLING_TRIAL_END = "suspend"
    ended(acme)

    end_ended_trials.delay()

    acme.refresh_from_db()
    assert acme.status == Status.SUSPENDED
    actions = OperatorAction.objects.filter(tenant=acme).order_by("pk")
    assert [(a.action, a.actor) for a in actions] == [
        ("trial_ended", "billing"),
        ("suspend", "billing"),
    ]


def test_a_workspace_paying_before_the_task_runs_keeps_its_plan(db, acme):
    ended(acme)
    Client.objects.filter(pk=acme.pk).update(billing_status=BillingStatus.ACTIVE)

    assert end_ended_trials.delay().get() == []


def test_beat_runs_the_billing_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"billing_app.end_trials", "billing_app.suspend_unpaid"} <= scheduled

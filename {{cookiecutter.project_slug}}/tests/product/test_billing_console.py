"""The operator console's view of billing: each workspace's plan and billing state, and the
operator's recorded overrides (comp a plan, extend a trial), each with its reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_app.models import BillingStatus, Client, OperatorAction, Plan

from ..conftest import OPERATOR

pytestmark = pytest.mark.billing


def test_a_workspace_s_page_shows_its_plan_and_billing_state(operator_client, acme, member_client):
    member_client(acme)
    member_client(acme)
    Client.objects.filter(pk=acme.pk).update(
        billing_status=BillingStatus.PAST_DUE,
        past_due_since=timezone.now(),
        stripe_customer_id="cus_acme",
        stripe_subscription_id="sub_acme",
    )

    page = operator_client.get("/console/acme/").content.decode()

    assert "<th>Plan</th><td>Pro</td>" in page
    assert "Payment failed since" in page
    assert "<code>cus_acme</code>" in page and "<code>sub_acme</code>" in page
    assert "<th>Seats</th><td>2</td>" in page
    assert "Trial ends" in page  # the trial it started on


def test_comping_a_plan_assigns_it_without_stripe_and_is_recorded(operator_client, acme):
    business = Plan.objects.get(slug="business")

    response = operator_client.post(
        "/console/acme/do/comp_plan/",
        {"comp_plan-plan": business.pk, "comp_plan-reason": "Design partner"},
        follow=True,
    )

    acme.refresh_from_db()
    assert (acme.plan, acme.billing_status, acme.trial_ends_at) == (
        business,
        BillingStatus.ACTIVE,
        None,
    )
    record = OperatorAction.objects.get(action="comp_plan")
    assert (record.actor, record.reason, record.tenant) == (OPERATOR, "Design partner", acme)
    assert record.details == {"plan": "business", "plan_before": "Pro", "status_before": "trialing"}
    page = response.content.decode()
    assert "Comp a plan: done for Acme (recorded)." in page and "<th>Plan</th><td>Business" in page


def test_comping_the_free_plan_makes_the_workspace_free(operator_client, acme):
    free = Plan.objects.get(slug="free")

    operator_client.post(
        "/console/acme/do/comp_plan/", {"comp_plan-plan": free.pk, "comp_plan-reason": "x"}
    )

    acme.refresh_from_db()
    assert (acme.plan, acme.billing_status) == (free, BillingStatus.FREE)


def test_comping_is_refused_while_the_workspace_pays_through_stripe(operator_client, acme):
    Client.objects.filter(pk=acme.pk).update(
        billing_status=BillingStatus.ACTIVE, stripe_subscription_id="sub_acme"
    )
    business = Plan.objects.get(slug="business")

    response = operator_client.post(
        "/console/acme/do/comp_plan/",
        {"comp_plan-plan": business.pk, "comp_plan-reason": "Upgrade for free"},
        follow=True,
    )

    assert "Acme pays through Stripe (subscription sub_acme)" in response.content.decode()
    assert Client.objects.get(pk=acme.pk).plan.slug == "pro"
    assert not OperatorAction.objects.filter(action="comp_plan").exists()


def test_an_override_without_a_reason_or_with_a_bad_field_changes_nothing(operator_client, acme):
    no_reason = operator_client.post(
        "/console/acme/do/comp_plan/", {"comp_plan-plan": Plan.objects.get(slug="free").pk}
    )
    too_long = operator_client.post(
        "/console/acme/do/extend_trial/", {"extend_trial-days": "9999", "extend_trial-reason": "x"}
    )
    unknown_plan = operator_client.post(
        "/console/acme/do/comp_plan/", {"comp_plan-plan": "0", "comp_plan-reason": "x"}
    )

    assert [r.status_code for r in (no_reason, too_long, unknown_plan)] == [400, 400, 400]
    assert "Ensure this value is less than or equal to 365." in too_long.content.decode()
    assert Client.objects.get(pk=acme.pk).plan.slug == "pro"
    assert not OperatorAction.objects.exists()


def test_extending_a_trial_moves_its_end_and_is_recorded(operator_client, acme):
    ends = acme.trial_ends_at

    response = operator_client.post(
        "/console/acme/do/extend_trial/",
        {"extend_trial-days": "10", "extend_trial-reason": "Evaluating with legal"},
        follow=True,
    )

    acme.refresh_from_db()
    assert acme.trial_ends_at == ends + timedelta(days=10)
    assert acme.billing_status == BillingStatus.TRIALING
    record = OperatorAction.objects.get(action="extend_trial")
    assert record.details == {"days": 10, "trial_ends_at": acme.trial_ends_at.isoformat()}
    assert "Extend the trial: done for Acme (recorded)." in response.content.decode()


def test_extending_is_refused_when_the_workspace_is_not_on_a_trial(operator_client, acme):
    Client.objects.filter(pk=acme.pk).update(billing_status=BillingStatus.FREE, trial_ends_at=None)

    response = operator_client.post(
        "/console/acme/do/extend_trial/",
        {"extend_trial-days": "10", "extend_trial-reason": "x"},
        follow=True,
    )

    assert "Acme is not on a trial (free): comp it a plan instead." in response.content.decode()
    assert not OperatorAction.objects.exists()


def test_the_operator_admin_offers_only_the_actions_that_need_a_reason_alone(operator_client, acme):
    page = operator_client.get("/admin/shared_app/client/").content.decode()

    assert "Suspend…" in page
    assert "Comp a plan" not in page and "Extend the trial" not in page

"""Plans and limits: the catalogue in public, each workspace on a plan, limits on members and
projects refused with a clear message, read without a query to public.
# >>> include_billing
Over a limit, the page links to the billing page to upgrade.
# <<< include_billing
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as HttpClient

from shared_app.models import Client, Plan
from shared_app.plans import LimitReached
from tenant_app.limits import room_for_one_more
from tenant_app.models import Invitation, Project

from ..conftest import host, secret_of
from ..factories import ClientFactory, UserFactory

# What the limit's message tells the workspace to do.
# >>> include_billing
MORE_ROOM = "Upgrade to add more."
# <<< include_billing
# >>> not include_billing
MORE_ROOM = "Contact us for a larger plan."
# <<< not include_billing


@pytest.fixture
def tiny(acme) -> Plan:
    """acme on a plan of two members and two projects (it has one of each... plus its owner)."""
    plan = Plan.objects.create(slug="tiny", name="Tiny", max_members=2, max_projects=2)
    acme.plan = plan
    acme.save()
    return plan


def test_the_default_catalogue_has_a_free_plan_and_larger_plans(db):
    plans = {plan.slug: plan for plan in Plan.objects.all()}

    assert plans["free"].is_free and plans["free"].max_members == 3
    assert not plans["pro"].is_free and plans["pro"].max_members == 50
    # >>> include_billing
    assert all(
        plans[slug].monthly_price_cents and plans[slug].yearly_price_cents
        for slug in ("pro", "business")
    )
    # <<< include_billing
    assert plans["business"].max_members is None  # unlimited


# >>> include_billing
def test_without_a_trial_a_new_workspace_is_on_the_free_plan(db, settings):
    settings.BILLING_TRIAL_DAYS = 0

    assert ClientFactory(schema_name="newcomer").plan.slug == "free"


# <<< include_billing
# >>> not include_billing
def test_a_new_workspace_is_on_the_free_plan(db):
    assert ClientFactory(schema_name="newcomer", plan=None).plan.slug == "free"


# <<< not include_billing


def test_a_project_beyond_the_plan_is_refused_with_its_message(member_client, acme, tiny):
    http = member_client(acme)
    assert http.post("/projects/new/", {"name": "Second"}).status_code == 302  # 2 of 2

    response = http.post("/projects/new/", {"name": "Third"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Acme is on the Tiny plan, which allows 2 projects. {MORE_ROOM}" in page
    assert 'href="/billing/"' in page  # >>> include_billing <<<
    with acme:
        assert not Project.objects.filter(name="Third").exists()


def test_editing_a_project_is_never_refused_by_the_limit(member_client, acme, tiny):
    http = member_client(acme)
    http.post("/projects/new/", {"name": "Second"})
    with acme:
        project = Project.objects.get(name="Second")

    response = http.post(f"/projects/{project.pk}/edit/", {"name": "Renamed"})

    assert response.status_code == 302


def test_an_invitation_beyond_the_plan_is_refused_with_its_message(member_client, acme, tiny):
    owner = member_client(acme, role="owner")
    assert owner.post("/members/", {"email": "one@example.com"}).status_code == 302  # 2 of 2

    response = owner.post("/members/", {"email": "two@example.com"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"which allows 2 members. {MORE_ROOM}" in page
    assert 'href="/billing/"' in page  # >>> include_billing <<<
    with acme:
        assert not Invitation.objects.filter(email="two@example.com").exists()


def test_an_unlimited_plan_refuses_nothing(member_client, acme):
    acme.plan = Plan.objects.get(slug="business")
    acme.save()
    http = member_client(acme)

    for number in range(5):
        assert http.post("/projects/new/", {"name": f"P{number}"}).status_code == 302


# >>> include_billing
def test_the_billing_page_shows_the_plan_and_what_the_workspace_uses(member_client, acme, tiny):
    page = member_client(acme).get("/billing/").content.decode()

    assert "Tiny" in page and "Members: 1 of 2" in page and "Projects: 1 of 2" in page


def test_the_limits_are_read_with_the_tenant_without_a_query_to_public(
    member_client, acme, tiny, django_assert_num_queries, settings
):
    settings.PGSCHEMAS_ROUTING_CHECK_SECONDS = 3600  # a slow machine: no routing check between
    http = member_client(acme)
    http.get("/billing/")

    with django_assert_num_queries(6) as captured:  # session, user, 3 counts, the catalogue
        http.get("/billing/")

    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "shared_app_client" not in tables
    assert tables.count('FROM "shared_app_plan"') == 1  # the catalogue shown on the page, only


# <<< include_billing
# >>> not include_billing
def test_adding_a_project_reads_the_plan_with_the_tenant_without_a_query_to_public(
    member_client, acme, tiny, django_assert_max_num_queries
):
    http = member_client(acme)
    http.get("/projects/new/")

    with django_assert_max_num_queries(20) as captured:
        assert http.post("/projects/new/", {"name": "Second"}).status_code == 302  # 2 of 2

    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "shared_app_client" not in tables and "shared_app_plan" not in tables


# <<< not include_billing


@pytest.fixture
def committed_tiny(committed_db):
    """acme on the Tiny plan, committed (each change then has a transaction of its own, as in
    production, which the routing check sees); put back after."""
    acme = Client.objects.get(schema_name="acme")
    free = acme.plan
    plan = Plan.objects.create(slug="tiny", name="Tiny", max_members=2, max_projects=2)
    acme.plan = plan
    acme.save()
    yield plan
    acme.plan = free
    acme.save()
    with acme:
        Project.objects.exclude(name=secret_of("acme")).delete()
    plan.delete()


def test_a_plan_edited_anywhere_is_seen_at_the_next_routing_check(committed_tiny, settings):
    settings.PGSCHEMAS_ROUTING_CHECK_SECONDS = 0
    acme = Client.objects.get(schema_name="acme")
    http = HttpClient(headers={"host": host("acme")})
    with acme:
        http.force_login(UserFactory(email="plans@example.com"))
    assert http.post("/projects/new/", {"name": "Second"}).status_code == 302  # 2 of 2 allowed
    Plan.objects.filter(pk=committed_tiny.pk).update(max_projects=5)  # no signal: the check

    response = http.post("/projects/new/", {"name": "Third"})

    with acme:
        get_user_model().objects.filter(email="plans@example.com").delete()
    assert response.status_code == 302


def test_the_operator_edits_the_catalogue_in_the_admin(operator_client):
    pro = Plan.objects.get(slug="pro")

    fields = {
        "slug": "pro",
        "name": "Pro",
        "position": 1,
        # >>> include_billing
        "monthly_price_cents": 1500,
        "yearly_price_cents": 15000,
        "stripe_monthly_price_id": "price_monthly",
        "stripe_yearly_price_id": "",
        # <<< include_billing
        "max_members": 10,
        "max_projects": "",
        "max_api_requests_per_day": 5000,  # >>> include_api <<<
    }

    response = operator_client.post(f"/admin/shared_app/plan/{pro.pk}/change/", fields)

    assert response.status_code == 302
    pro.refresh_from_db()
    assert (pro.max_members, pro.max_projects) == (10, None)
    # >>> include_billing
    assert (pro.monthly_price_cents, pro.stripe_monthly_price_id) == (1500, "price_monthly")
    # <<< include_billing


# >>> include_billing
def test_the_pricing_page_on_www_lists_the_catalogue(client, db, settings):
    Plan.objects.filter(slug="pro").update(name="Professional", monthly_price_cents=1999)

    page = client.get("/pricing/", headers={"host": settings.DOMAIN_NAME}).content.decode()

    assert "Professional" in page and "19.99 per member a month" in page
    assert "free for 14 days" in page


# <<< include_billing
# >>> include_api
def test_a_project_beyond_the_plan_is_refused_by_the_api_too(client, api_key, acme, tiny):
    key = api_key(acme)

    def create(name: str):
        return client.post(
            "/api/v1/projects/",
            {"name": name},
            content_type="application/json",
            headers={"host": host("acme"), "authorization": f"Bearer {key}"},
        )

    answers = [create("Second"), create("Third")]

    assert [a.status_code for a in answers] == [201, 403]
    error = answers[1].json()["error"]
    assert error["code"] == "limit_reached"
    assert error["message"] == f"Acme is on the Tiny plan, which allows 2 projects. {MORE_ROOM}"
    with acme:
        assert not Project.objects.filter(name="Third").exists()


# <<< include_api
def test_two_additions_at_once_cannot_both_take_the_last_place(committed_db):
    """Two real transactions, each on its own connection (a thread each): the first holds the
    workspace's lock from its check to its commit, and sleeps meanwhile; the second, started
    then, waits for it, counts its project and is refused. Without the lock both would pass."""
    acme = Client.objects.get(schema_name="acme")
    with acme:
        acme.plan = Plan(name="Last slot", max_projects=Project.objects.count() + 1)
    first_inside = threading.Event()
    outcomes: dict[str, str] = {}

    def add(name: str, hold: float) -> None:
        try:
            with acme, room_for_one_more(acme, "projects"):
                first_inside.set()
                time.sleep(hold)
                Project.objects.create(name=name)
            outcomes[name] = "added"
        except LimitReached:
            outcomes[name] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=add, args=("Race one", 0.5))
    first.start()
    first_inside.wait(timeout=10)
    second = threading.Thread(target=add, args=("Race two", 0))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    try:
        assert outcomes == {"Race one": "added", "Race two": "refused"}
    finally:
        with acme:
            Project.objects.filter(name__startswith="Race ").delete()

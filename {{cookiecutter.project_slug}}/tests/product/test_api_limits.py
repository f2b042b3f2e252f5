"""Rate limits of the API (per key or member, per workspace, per day as the workspace's plan
allows, per client address without valid credentials) and its usage per workspace, day and key,
through the whole middleware."""

import math
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.utils import timezone

from main_app.tasks import roll_up_api_usage
from pgschemas.routing.host_map import host_map
from pgschemas.schema import StaticSchema
from shared_app.models import Plan, WorkspaceApiUsage
from tenant_app.models import ApiUsage, Project

from ..conftest import host
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """``rates(api_key="3/m")``: the API's rates for this test."""

    def set_rates(**changed: str) -> None:
        rest = django_settings.REST_FRAMEWORK
        merged = {**rest["DEFAULT_THROTTLE_RATES"], **changed}
        settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": merged}

    return set_rates


def get(client, tenant_name: str, key: str | None = None, **extra):
    headers = {"host": host(tenant_name)}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return client.get("/api/v1/projects/", headers=headers, **extra)


def test_a_key_over_its_rate_gets_429_with_retry_after(client, acme, api_key, rates):
    rates(api_key="3/m")
    key = api_key(acme)

    answers = [get(client, "acme", key) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a["X-RateLimit-Limit"] == "3" for a in answers)
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert int(answers[0]["X-RateLimit-Reset"]) >= time.time()
    error = answers[3].json()["error"]
    assert error["status"] == 429 and error["code"] == "throttled"


def test_each_key_and_member_has_its_own_limit(client, member_client, acme, api_key, rates):
    rates(api_key="2/m")
    first, second = api_key(acme), api_key(acme)
    for _ in range(3):
        get(client, "acme", first)

    assert get(client, "acme", first).status_code == 429
    assert get(client, "acme", second).status_code == 200
    assert member_client(acme).get("/api/v1/projects/").status_code == 200


def test_the_workspace_limit_counts_all_its_keys_and_members_and_no_other_workspace(
    client, member_client, acme, globex, api_key, rates
):
    rates(workspace="4/m")
    first, second = api_key(acme), api_key(acme)
    answers = [get(client, "acme", first), get(client, "acme", second)]
    answers += [get(client, "acme", first), member_client(acme).get("/api/v1/projects/")]

    over = get(client, "acme", second)

    assert [a.status_code for a in answers] == [200] * 4 and over.status_code == 429
    assert get(client, "globex", api_key(globex)).status_code == 200


def test_a_limit_resets_with_its_window(client, acme, api_key, rates):
    rates(api_key="2/s")
    key = api_key(acme)
    time.sleep(math.ceil(time.time()) - time.time() + 0.01)  # at the start of a second
    answers = [get(client, "acme", key) for _ in range(3)]

    time.sleep(int(answers[2]["Retry-After"]))

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert get(client, "acme", key).status_code == 200


def test_requests_without_valid_credentials_are_limited_per_client_address(client, acme, rates):
    rates(anonymous="3/m")
    www = {"host": django_settings.TENANTS["www"]["DOMAINS"][0]}

    answers = [
        get(client, "acme"),  # no credentials
        get(client, "acme", "acme.not.valid"),  # a refused key
        client.get("/", headers={**www, "authorization": "Bearer acme.a.b"}),  # on www
    ]
    over = [get(client, "acme"), get(client, "globex", "globex.x.y")]
    elsewhere = get(client, "acme", REMOTE_ADDR="10.1.2.3")

    assert [a.status_code for a in answers] == [401] * 3
    assert [a.status_code for a in over] == [429, 429]
    assert all(a.json()["error"]["code"] == "throttled" and a["Retry-After"] for a in over)
    assert over[0].json()["error"]["message"] == over[1].json()["error"]["message"]
    assert elsewhere.status_code == 401


def test_usage_is_counted_per_day_and_key_and_shown_to_members(
    client, member_client, acme, api_key
):
    ci, zapier = api_key(acme, name="CI"), api_key(acme, name="Zapier")
    for _ in range(3):
        get(client, "acme", ci)
    get(client, "acme", zapier)
    member = member_client(acme)
    member.get("/api/v1/projects/")
    member.get("/api/v1/members/")
    get(client, "acme", "acme.not.valid")  # refused: not the workspace's usage

    page = member.get("/settings/").content.decode()

    with acme:
        usage = {(u.key.name if u.key else None): u.requests for u in ApiUsage.objects.all()}
    assert usage == {"CI": 3, "Zapier": 1, None: 2}
    assert "Requests to the API" in page and "Members, logged in" in page


def test_usage_is_written_once_a_minute_not_per_request(
    client, member_client, acme, api_key, django_assert_num_queries
):
    key = api_key(acme)
    get(client, "acme", key)  # writes last_used_at and the first count
    with acme:
        written = ApiUsage.objects.get().requests

    with django_assert_num_queries(3):  # the key, the count, the page: no usage row written
        get(client, "acme", key)
    get(client, "acme", key)
    member_client(acme).get("/settings/")  # moves what the cache holds

    with acme:
        assert written == 1 and ApiUsage.objects.get().requests == 3


def test_usage_is_rolled_up_into_public_for_the_operator(
    client, member_client, acme, globex, api_key, operator_client
):
    acme_key, globex_key = api_key(acme), api_key(globex)
    for _ in range(3):
        get(client, "acme", acme_key)
    member_client(acme).get("/api/v1/projects/")
    for _ in range(2):
        get(client, "globex", globex_key)
    today = timezone.now().date()
    with acme:
        ApiUsage.objects.create(day=today - timedelta(days=1), requests=5)
        ApiUsage.objects.create(day=today - timedelta(days=9), requests=7)  # too old

    roll_up_api_usage.delay()
    roll_up_api_usage.delay()  # again: totals, not added twice

    rolled = {(u.tenant.schema_name, u.day): u.requests for u in WorkspaceApiUsage.objects.all()}
    assert rolled == {
        ("acme", today): 4,
        ("acme", today - timedelta(days=1)): 5,
        ("globex", today): 2,
    }
    page = operator_client.get("/admin/shared_app/workspaceapiusage/")
    assert page.status_code == 200 and "Globex" in page.content.decode()


@pytest.fixture
def day_plan(acme):
    """``day_plan(3)``: acme on a plan allowing that many API requests a day (None: unlimited)."""

    def on_plan(requests_per_day: int | None) -> Plan:
        plan = Plan.objects.create(
            slug=f"api-day-{requests_per_day}",
            name="Tiny API",
            max_api_requests_per_day=requests_per_day,
        )
        acme.plan = plan
        acme.save()
        host_map().expire()
        return plan

    return on_plan


def seconds_to_utc_midnight() -> float:
    now = datetime.now(UTC)
    return (datetime.combine(now.date() + timedelta(days=1), dt_time(), UTC) - now).total_seconds()


def test_the_plan_limits_a_workspace_s_requests_a_day_with_retry_after_until_midnight(
    client, member_client, acme, globex, api_key, day_plan
):
    day_plan(3)
    first, second = api_key(acme), api_key(acme)
    answers = [get(client, "acme", first), member_client(acme).get("/api/v1/projects/")]
    answers.append(get(client, "acme", second))

    over = get(client, "acme", first)

    assert [a.status_code for a in answers] == [200] * 3 and over.status_code == 429
    until_midnight = seconds_to_utc_midnight()
    assert until_midnight - 5 <= int(over["Retry-After"]) <= until_midnight + 1
    error = over.json()["error"]
    assert error["code"] == "daily_limit"
    assert error["message"].startswith(  # then DRF's "Expected available in N seconds."
        "Acme is on the Tiny API plan, which allows 3 API requests a day. "
        # >>> include_billing
        "Upgrade for more, or wait until the day ends (UTC)."
        # <<< include_billing
        # >>> not include_billing
        "Contact us for a larger plan, or wait until the day ends (UTC)."
        # <<< not include_billing
    )
    assert (over["X-RateLimit-Limit"], over["X-RateLimit-Remaining"]) == ("3", "0")
    midnight = time.time() + seconds_to_utc_midnight()
    assert int(over["X-RateLimit-Reset"]) == round(midnight) and round(midnight) % 86400 == 0
    assert get(client, "globex", api_key(globex)).status_code == 200


def test_the_headers_describe_the_day_once_it_has_less_left_than_the_key(
    client, acme, api_key, day_plan, rates
):
    rates(api_key="100/m")
    day_plan(3)
    key = api_key(acme)

    answers = [get(client, "acme", key) for _ in range(2)]

    assert [(a["X-RateLimit-Limit"], a["X-RateLimit-Remaining"]) for a in answers] == [
        ("3", "2"),
        ("3", "1"),
    ]


def test_a_plan_without_a_daily_limit_is_unlimited_and_zero_allows_none(
    client, acme, api_key, day_plan, rates
):
    rates(api_key="5/m")
    day_plan(None)
    key = api_key(acme)
    unlimited = [get(client, "acme", key) for _ in range(3)]
    day_plan(0)

    refused = get(client, "acme", key)

    assert [a.status_code for a in unlimited] == [200] * 3
    assert unlimited[2]["X-RateLimit-Limit"] == "5"  # the key's: no day to count
    assert refused.status_code == 429
    assert "which allows 0 API requests a day" in refused.json()["error"]["message"]


def test_a_read_key_s_refused_writes_are_counted_and_limited(client, acme, api_key, rates):
    rates(api_key="2/m")
    key = api_key(acme, "read")

    def write():
        return client.post(
            "/api/v1/projects/",
            {"name": "Nope"},
            content_type="application/json",
            headers={"host": host("acme"), "authorization": f"Bearer {key}"},
        )

    answers = [write(), write(), write()]

    assert [a.status_code for a in answers] == [403, 403, 429]
    assert answers[0].json()["error"]["code"] == "read_only_key"
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert get(client, "acme", key).status_code == 429  # its reads share the limit
    with acme:
        assert ApiUsage.objects.get().requests == 1  # the first write; the rest in the cache
        assert not Project.objects.filter(name="Nope").exists()


def test_the_operator_console_shows_each_workspace_s_requests_a_day_and_the_top_users(
    db, acme, globex, django_assert_max_num_queries
):
    today = timezone.now().date()
    WorkspaceApiUsage.objects.bulk_create(
        [
            WorkspaceApiUsage(tenant=acme, day=today, requests=1234),
            WorkspaceApiUsage(tenant=acme, day=today - timedelta(days=2), requests=56),
            WorkspaceApiUsage(tenant=acme, day=today - timedelta(days=40), requests=9999),
            WorkspaceApiUsage(tenant=globex, day=today - timedelta(days=1), requests=2000),
        ]
    )
    operator = HttpClient(headers={"host": django_settings.DOMAIN_NAME})
    with StaticSchema("www"):
        operator.force_login(UserFactory(is_staff=True))

    detail = operator.get("/console/acme/").content.decode()
    with django_assert_max_num_queries(4):  # session, user, the workspaces
        week = operator.get("/console/api-usage/").content.decode()
    today_only = operator.get("/console/api-usage/", {"days": "1"}).content.decode()
    anonymous = HttpClient(headers={"host": django_settings.DOMAIN_NAME}).get("/console/api-usage/")

    assert today.isoformat() in detail and "1234" in detail and "56" in detail
    assert "9999" not in detail  # older than 30 days
    assert "allows 100000 a day" in detail  # its trial plan's limit
    acme_row, globex_row = '<code class="muted">acme</code>', '<code class="muted">globex</code>'
    assert week.index(globex_row) < week.index(acme_row) and "1290" in week
    assert acme_row in today_only and globex_row not in today_only
    assert anonymous.status_code == 302

"""Sign-up on www: sub-domain rules, all-or-nothing creation, the race, and the hand-over."""

import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import DataError, connections
from django.test import Client as HttpClient
from django.utils.html import escape

from main_app.signup import create_workspace
from pgschemas.availability import schema_exists
from pgschemas.fleet.provisioning import drop_schema
from shared_app.models import Client, Domain, WorkspaceAccount
from tenant_app.tokens import make_handover_token

from ..conftest import host
from ..factories import PASSWORD

WWW = {"host": settings.DOMAIN_NAME}
INITECH = {"host": host("initech")}


def signup_data(subdomain: str = "initech", **overrides: str) -> dict[str, str]:
    data = {
        "workspace_name": "Initech",
        "subdomain": subdomain,
        "email": "bill@initech.test",
        "password": PASSWORD,
    }
    return {**data, **overrides}


def sign_up(client, **data: str):
    return client.post("/signup/", signup_data(**data), headers=WWW)


def subdomain_error(response) -> str:
    return " ".join(response.context["form"].errors.get("subdomain", []))


@pytest.mark.django_db
def test_landing_page_offers_sign_up_and_log_in(client):
    page = client.get("/", headers=WWW).content.decode()

    assert escape(settings.PROJECT_NAME) in page
    assert 'href="/signup/"' in page and "Start free" in page
    assert 'href="/find-my-workspace/"' in page and "Log in to your workspace" in page


@pytest.mark.django_db
def test_sign_up_creates_client_domain_and_owner_in_the_new_schema(client):
    response = sign_up(client)

    assert response.status_code == 302
    tenant = Client.objects.get(schema_name="initech")
    assert tenant.name == "Initech"
    assert list(tenant.domains.values_list("domain", "is_primary")) == [
        (f"initech.{settings.TENANT_DOMAIN_SUFFIX}", True)
    ]
    with tenant:
        owner = get_user_model().objects.get()
    assert owner.email == "bill@initech.test" and owner.is_owner and owner.check_password(PASSWORD)
    assert WorkspaceAccount.objects.filter(tenant=tenant, email="bill@initech.test").exists()


@pytest.mark.django_db
def test_sign_up_lands_logged_in_on_the_new_workspace(client):
    response = sign_up(client)
    workspace = f"http://{host('initech')}"

    assert re.fullmatch(rf"{re.escape(workspace)}/welcome/[^/]+/", response["Location"])
    landed = client.get(response["Location"].removeprefix(workspace), headers=INITECH)
    dashboard = client.get(landed["Location"], headers=INITECH)

    assert landed.status_code == 302 and landed["Location"] == "/"
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user.email == "bill@initech.test"


@pytest.mark.django_db
def test_the_hand_over_takes_the_configured_scheme_and_port_not_the_requests(client, settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL, settings.WORKSPACE_URL_PORT = "https", 8000

    response = client.post(
        "/signup/", signup_data(), headers={"host": f"{settings.DOMAIN_NAME}:8443"}
    )

    assert response["Location"].startswith(f"https://initech.{settings.TENANT_DOMAIN_SUFFIX}:8000/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subdomain", "problem"),
    [
        ("Acme Corp", "lower-case letters and digits"),
        ("acme-corp", "lower-case letters and digits"),
        ("acme_corp", "lower-case letters and digits"),
        ("1acme", "lower-case letters and digits"),
        ("a" * 64, "at most 63 characters"),
        ("pg_acme", "lower-case letters and digits"),
        ("", "This field is required"),
    ],
)
def test_sub_domain_must_follow_the_schema_and_host_name_rules(client, subdomain, problem):
    response = sign_up(client, subdomain=subdomain)

    assert response.status_code == 200
    assert problem in subdomain_error(response)
    assert not Client.objects.filter(name="Initech").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "subdomain",
    [
        "www",
        "help",
        "admin",
        "api",
        "static",
        "media",
        "mail",
        "public",
        "default",
        *settings.TENANTS,
    ],
)
def test_reserved_sub_domains_are_refused_with_a_suggestion(client, subdomain):
    response = sign_up(client, subdomain=subdomain)

    error = subdomain_error(response)
    assert f"“{subdomain}” is reserved. Try “{subdomain}2”." == error
    assert not Client.objects.filter(name="Initech").exists()


@pytest.mark.django_db
def test_a_taken_sub_domain_is_refused_with_a_free_suggestion(client, acme):
    response = sign_up(client, subdomain="acme")

    assert subdomain_error(response) == "“acme” is already taken. Try “acme2”."


@pytest.mark.django_db
def test_a_leftover_schema_counts_as_taken(client):
    from pgschemas.fleet.provisioning import create_schema

    create_schema("leftover")

    assert "already taken" in subdomain_error(sign_up(client, subdomain="leftover"))


@pytest.mark.django_db
def test_a_weak_password_is_refused(client):
    response = sign_up(client, password="initech")

    assert response.context["form"].errors["password"]
    assert not Client.objects.filter(schema_name="initech").exists()


@pytest.mark.django_db
def test_a_failure_after_the_schema_was_made_leaves_nothing_behind():
    with pytest.raises(DataError):  # the owner's e-mail is too long for its column
        create_workspace(
            name="Initech", subdomain="initech", email=f"{'b' * 250}@x.test", password=PASSWORD
        )

    assert not Client.objects.filter(schema_name="initech").exists()
    assert not Domain.objects.filter(domain__startswith="initech.").exists()
    assert not schema_exists("initech")


def test_two_sign_ups_racing_for_one_sub_domain_one_wins_the_other_gets_a_form_error(
    committed_db,
):
    """Two threads, two connections, committed data: the loser must see the winner's row."""
    start = threading.Barrier(2)
    outcomes: list[tuple[int, str]] = []

    def sign_up_in_a_thread(email: str) -> None:
        http = HttpClient()
        start.wait()
        try:
            response = sign_up(http, subdomain="racer", email=email)
            error = subdomain_error(response) if response.status_code == 200 else ""
            outcomes.append((response.status_code, error))
        except Exception as error:  # reported by the assertions below, not lost in the thread
            outcomes.append((0, repr(error)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=sign_up_in_a_thread, args=(f"{name}@racer.test",))
        for name in ("first", "second")
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(status for status, _ in outcomes) == [200, 302], outcomes
        loser_error = next(error for status, error in outcomes if status == 200)
        assert "“racer” " in loser_error and "Try “racer2”" in loser_error, outcomes
        assert Client.objects.filter(schema_name="racer").count() == 1
        assert Domain.objects.filter(domain=f"racer.{settings.TENANT_DOMAIN_SUFFIX}").count() == 1
        with Client.objects.get(schema_name="racer"):
            assert get_user_model().objects.count() == 1
    finally:
        Client.objects.filter(schema_name="racer").delete()
        drop_schema("racer")


# The hand-over token ------------------------------------------------------------------------


@pytest.fixture
def initech(db):
    return create_workspace(
        name="Initech", subdomain="initech", email="bill@initech.test", password=PASSWORD
    )


def welcome(client, token: str, schema_name: str = "initech"):
    return client.get(f"/welcome/{token}/", headers={"host": host(schema_name)})


def test_a_hand_over_token_logs_in_once(client, initech):
    token = make_handover_token(initech.client, initech.owner_id)

    first = welcome(client, token)
    again = welcome(HttpClient(), token)

    assert first.status_code == 302 and first.wsgi_request.user.is_authenticated
    assert again.status_code == 400 and b"already used" in again.content
    assert not again.wsgi_request.user.is_authenticated


def test_an_expired_hand_over_token_is_refused(client, initech, monkeypatch):
    token = make_handover_token(initech.client, initech.owner_id)
    later = signing.time.time() + 61
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = welcome(client, token)

    assert response.status_code == 400 and b"expired" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_a_hand_over_token_is_refused_by_another_workspace(client, initech, acme):
    token = make_handover_token(initech.client, initech.owner_id)

    response = welcome(client, token, "acme")

    assert response.status_code == 400 and b"another workspace" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_a_forged_hand_over_token_is_refused(client, initech):
    token = make_handover_token(initech.client, initech.owner_id)

    response = welcome(client, token[:-2] + "xx")

    assert response.status_code == 400 and b"not valid" in response.content

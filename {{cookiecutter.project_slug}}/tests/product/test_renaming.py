"""A workspace moves to a new sub-domain: served there at once; the former domain answers 301 to
the same path there for PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS and stays taken for sign-ups; the
schema name does not change."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from main_app.signup import SubdomainUnavailable, check_subdomain
from shared_app.lifecycle import ActionRefused
from shared_app.models import Client, Domain, OperatorAction
from shared_app.renaming import forget_expired_redirects, rename

from ..conftest import host

OPERATOR = "operator@example.com"


def get(hostname: str, path: str = "/"):
    return HttpClient(headers={"host": hostname}).get(path)


def test_the_new_domain_is_served_at_once_and_the_old_one_redirects_to_the_same_path(acme):
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")

    served = get(host("acmeco"), "/accounts/login/")
    moved = get(host("acme"), "/projects/new/?from=bookmark")

    assert served.status_code == 200 and "Acme" in served.content.decode()
    assert moved.status_code == 301
    assert moved["Location"] == f"http://{host('acmeco')}/projects/new/?from=bookmark"
    assert Client.objects.get(pk=acme.pk).schema_name == "acme"
    assert acme.primary_domain == host("acmeco")


def test_the_redirect_keeps_the_port_of_the_host_asked_for(acme):
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")

    moved = get(f"{host('acme')}:8000", "/settings/")

    assert moved["Location"] == f"http://{host('acmeco')}:8000/settings/"


def test_the_rename_is_recorded_with_both_domains(acme, settings):
    settings.PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS = 10
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")

    record = OperatorAction.objects.get()
    old = Domain.objects.get(domain=host("acme"))
    assert (record.action, record.actor, record.reason) == ("rename", OPERATOR, "company renamed")
    assert record.details["from"] == host("acme") and record.details["to"] == host("acmeco")
    assert timedelta(days=9) < old.redirect_until - timezone.now() <= timedelta(days=10)


def test_a_former_domain_cannot_be_taken_by_a_sign_up_until_it_is_freed(acme):
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")
    rename(acme, "acmenew", by=OPERATOR, reason="renamed again")

    with pytest.raises(SubdomainUnavailable, match="already taken"):
        check_subdomain("acmeco")

    Domain.objects.filter(domain=host("acmeco")).update(redirect_until=timezone.now())
    assert forget_expired_redirects() == 1
    assert check_subdomain("acmeco") == "acmeco"


def test_a_former_domain_past_its_redirect_period_is_not_served(acme):
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")
    Domain.objects.filter(domain=host("acme")).update(
        redirect_until=timezone.now() - timedelta(seconds=1)
    )
    Client.objects.get(pk=acme.pk).save()  # the host map checks again

    assert get(host("acme")).status_code == 404


def test_a_workspace_can_take_back_its_own_former_domain(acme):
    rename(acme, "acmeco", by=OPERATOR, reason="company renamed")
    rename(acme, "acme", by=OPERATOR, reason="renamed back")

    assert acme.primary_domain == host("acme")
    assert get(host("acmeco")).status_code == 301
    assert Domain.objects.get(domain=host("acme")).redirect_until is None


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [("globex", "already taken"), ("www", "reserved"), ("Bad_Name!", "lower-case")],
)
def test_a_sub_domain_a_sign_up_could_not_take_is_refused(acme, subdomain, message):
    with pytest.raises(ActionRefused, match=message):
        rename(acme, subdomain, by=OPERATOR, reason="why not")

    assert acme.primary_domain == host("acme") and not OperatorAction.objects.exists()


def test_the_owner_renames_in_settings_and_lands_on_the_new_domain_logged_in(owner_client, acme):
    response = owner_client.post("/settings/rename/", {"subdomain": "acmeco"})

    location = response["Location"]
    assert response.status_code == 302
    assert location.startswith(f"http://{host('acmeco')}/welcome/")
    there = HttpClient(headers={"host": host("acmeco")})
    assert there.get(location.split(host("acmeco"))[1]).status_code == 302
    assert there.get("/settings/").status_code == 200
    assert OperatorAction.objects.get().actor == "owner owner@example.com"


def test_the_owner_is_told_why_a_sub_domain_is_refused(owner_client, acme):
    response = owner_client.post("/settings/rename/", {"subdomain": "globex"})

    assert response.status_code == 400 and "already taken" in response.content.decode()
    assert acme.primary_domain == host("acme")


def test_a_member_who_is_not_an_owner_cannot_rename(member_client, acme):
    response = member_client(acme).post("/settings/rename/", {"subdomain": "acmeco"})

    assert response.status_code == 403 and acme.primary_domain == host("acme")

"""Sign-up cannot flood the database: limits per client address and per e-mail address, an
optional CAPTCHA, an optional e-mail check before anything is stored, reserved sub-domains, and
a suggestion that costs one query."""

import re

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from main_app.signup import suggest_subdomain
from pgschemas.availability import schema_exists
from pgschemas.fleet.spares import refill_spare_schemas, spare_schema_names
from shared_app.models import Client, Domain, WorkspaceAccount

from ..conftest import host
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db
WWW = settings.DOMAIN_NAME


def sign_up(client, subdomain: str, email: str, address: str = "198.51.100.7", **extra: str):
    """With SIGNUP_EMAIL_VERIFICATION the form has no password field: it ignores the password."""
    data = {"workspace_name": "Initech", "subdomain": subdomain, "email": email, **extra}
    data.setdefault("password", PASSWORD)
    return client.post("/signup/", data, headers={"host": WWW}, REMOTE_ADDR=address)


def nothing_left_of(subdomain: str) -> bool:
    return not (
        Client.objects.filter(schema_name=subdomain).exists()
        or Domain.objects.filter(domain__startswith=f"{subdomain}.").exists()
        or schema_exists(subdomain)
        or WorkspaceAccount.objects.filter(email=f"{subdomain}@example.com").exists()
    )


# Limits ---------------------------------------------------------------------------------------


def test_one_client_address_creates_at_most_10_workspaces_an_hour(client):
    responses = [sign_up(client, f"flood{n}", f"flood{n}@example.com") for n in range(11)]
    another_address = sign_up(client, "other", "other@example.com", address="203.0.113.9")

    assert [response.status_code for response in responses] == [302] * 10 + [429]
    assert "Too many requests" in responses[-1].content.decode()
    assert Client.objects.filter(schema_name__startswith="flood").count() == 10
    assert nothing_left_of("flood10")
    assert another_address.status_code == 302


def test_one_e_mail_address_creates_at_most_5_workspaces_an_hour_from_any_address(client):
    responses = [
        sign_up(client, f"same{n}", "same@example.com", address=f"198.51.100.{n + 1}")
        for n in range(6)
    ]

    assert [response.status_code for response in responses] == [302] * 5 + [429]
    assert nothing_left_of("same5")


def test_a_refused_form_does_not_count_against_the_limit(client):
    for _ in range(12):
        sign_up(client, "www", "typo@example.com")  # reserved: a form error, nothing created

    assert sign_up(client, "initech", "typo@example.com").status_code == 302


# CAPTCHA --------------------------------------------------------------------------------------


class AnswerField(forms.CharField):
    """A stand-in for a CAPTCHA provider's form field: valid only with the right answer."""

    def validate(self, value: str) -> None:
        super().validate(value)
        if value != "human":
            raise ValidationError("Prove you are human.")


@pytest.mark.parametrize("answer", ["", "robot"])
def test_with_a_captcha_field_set_a_sign_up_without_its_answer_is_refused(client, settings, answer):
    settings.SIGNUP_CAPTCHA_FIELD = "tests.product.test_security_signup.AnswerField"

    response = sign_up(client, "initech", "bill@example.com", captcha=answer)

    assert response.status_code == 200 and response.context["form"].errors["captcha"]
    assert nothing_left_of("initech")


def test_with_a_captcha_field_set_the_right_answer_signs_up(client, settings):
    settings.SIGNUP_CAPTCHA_FIELD = "tests.product.test_security_signup.AnswerField"

    form = client.get("/signup/", headers={"host": WWW}).content.decode()
    response = sign_up(client, "initech", "bill@example.com", captcha="human")

    assert 'name="captcha"' in form
    assert response.status_code == 302


def test_there_is_no_captcha_by_default(client):
    assert 'name="captcha"' not in client.get("/signup/", headers={"host": WWW}).content.decode()


# E-mail verification before the workspace is made -----------------------------------------------


@pytest.fixture
def verify(settings):
    settings.SIGNUP_EMAIL_VERIFICATION = True


def mailed_path() -> str:
    link = re.search(r"http://\S+/signup/confirm/\S+/", mail.outbox[-1].body).group(0)
    return link.split(WWW, 1)[1]


def test_with_verification_a_sign_up_stores_nothing_until_the_link_is_opened(client, verify):
    response = sign_up(client, "initech", "initech@example.com")

    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    assert mail.outbox[-1].to == ["initech@example.com"]
    assert nothing_left_of("initech")


def test_with_verification_the_link_asks_a_password_then_makes_the_workspace_from_a_spare(
    client, verify
):
    sign_up(client, "initech", "initech@example.com")
    refill_spare_schemas(1)

    page = client.get(mailed_path(), headers={"host": WWW})
    created = client.post(mailed_path(), {"password": PASSWORD}, headers={"host": WWW})

    assert page.status_code == 200 and "initech@example.com" in page.content.decode()
    assert created.status_code == 302
    assert created["Location"].startswith(f"http://{host('initech')}/welcome/")
    assert spare_schema_names() == []  # the workspace took the spare: instant
    with Client.objects.get(schema_name="initech"):
        owner = get_user_model().objects.get()
    assert owner.email == "initech@example.com" and owner.is_owner
    assert owner.check_password(PASSWORD)


def test_with_verification_a_weak_password_on_the_link_page_is_a_form_error(client, verify):
    sign_up(client, "initech", "initech@example.com")

    response = client.post(mailed_path(), {"password": "initech"}, headers={"host": WWW})

    assert response.status_code == 200 and response.context["form"].errors["password"]
    assert nothing_left_of("initech")


def test_with_verification_an_expired_link_makes_nothing(client, verify, monkeypatch):
    sign_up(client, "initech", "initech@example.com")
    later = signing.time.time() + settings.SIGNUP_LINK_MAX_AGE + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(mailed_path(), {"password": PASSWORD}, headers={"host": WWW})

    assert response.status_code == 400 and "expired" in response.content.decode()
    assert nothing_left_of("initech")


def test_with_verification_a_forged_or_used_link_is_refused(client, verify):
    sign_up(client, "initech", "initech@example.com")
    path = mailed_path()
    client.post(path, {"password": PASSWORD}, headers={"host": WWW})

    again = HttpClient().post(path, {"password": PASSWORD}, headers={"host": WWW})
    forged = HttpClient().get(path[:-3] + "xx/", headers={"host": WWW})

    assert again.status_code == 400 and "already taken" in again.content.decode()
    assert forged.status_code == 400 and "not valid" in forged.content.decode()
    assert Client.objects.filter(schema_name="initech").count() == 1


# Names ------------------------------------------------------------------------------------------

NEWLY_RESERVED = [
    *["autodiscover", "autoconfig", "wpad", "smtp", "imap", "pop", "mx", "ns1", "webmail"],
    *["ftp", "login", "sso", "auth", "accounts", "billing", "support", "security", "status"],
    *["docs", "cdn", "assets", "app", "localhost", "www1"],
]


@pytest.mark.parametrize("subdomain", NEWLY_RESERVED)
def test_sub_domains_that_look_like_the_products_own_are_reserved(client, subdomain):
    response = sign_up(client, subdomain, "eve@example.com")

    assert response.status_code == 200
    assert "is reserved" in " ".join(response.context["form"].errors["subdomain"])
    assert nothing_left_of(subdomain)


def test_the_reserved_sub_domains_can_be_extended(client, settings):
    settings.RESERVED_SUBDOMAINS = [*settings.RESERVED_SUBDOMAINS, "careers"]

    response = sign_up(client, "careers", "eve@example.com")

    assert "is reserved" in " ".join(response.context["form"].errors["subdomain"])


def test_a_workspace_name_keeps_no_line_break(client):
    sign_up(client, "initech", "bill@example.com", workspace_name="Initech\r\nBcc: x@evil.test")

    assert Client.objects.get(schema_name="initech").name == "Initech Bcc: x@evil.test"


def test_suggesting_a_sub_domain_costs_one_query_however_many_are_taken(acme):
    for number in range(2, 6):
        Domain.objects.create(tenant=acme, domain=f"acme{number}.{settings.TENANT_DOMAIN_SUFFIX}")

    with CaptureQueriesContext(connection) as queries:
        suggestion = suggest_subdomain("acme")

    assert suggestion == "acme6"
    assert len(queries) == 1

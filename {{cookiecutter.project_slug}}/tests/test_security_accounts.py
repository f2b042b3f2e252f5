"""The accounts layer around the workspaces, attacked: e-mailed keys, admin log-in, log-in e-mail
changes, rate limits behind a proxy (issue 22, findings 1, 2, 6 and 7)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as HttpClient

from .conftest import host
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def link_in(message) -> str:
    """The path of the first link in an e-mail."""
    return LINK.search(message.body).group(1)


def ask_to_change_e_mail(http: HttpClient, tenant, email: str):
    return http.post(
        "/accounts/email/",
        {"email": email, "action_add": ""},
        headers={"host": host(tenant.schema_name)},
    )


# 1. E-mailed keys name their workspace.


def test_an_e_mail_confirmation_link_of_one_workspace_is_refused_on_another(
    member_client, acme, globex
):
    ask_to_change_e_mail(member_client(acme), acme, "new@acme.test")
    with acme:
        address = EmailAddress.objects.get(email="new@acme.test")
    with globex:  # globex's own address with the same row number
        colleague = UserFactory(email="colleague@globex.test")
        EmailAddress.objects.create(pk=address.pk, user=colleague, email=colleague.email)
    link = link_in(mail.outbox[-1])
    globex_host = {"host": host("globex")}

    page = HttpClient().get(link, headers=globex_host)
    HttpClient().post(link, headers=globex_host)

    assert b"colleague@globex.test" not in page.content
    with globex:
        assert not EmailAddress.objects.get(pk=address.pk).verified
    with acme:
        assert not EmailAddress.objects.get(pk=address.pk).verified


def test_a_password_reset_link_of_one_workspace_is_refused_on_another(client, acme, globex):
    with acme:
        UserFactory(pk=9100, email="ann@acme.test")
    with globex:
        UserFactory(pk=9100, email="bob@globex.test")
    client.post(
        "/accounts/password/reset/", {"email": "ann@acme.test"}, headers={"host": host("acme")}
    )
    link = link_in(mail.outbox[-1])
    globex_host = {"host": host("globex")}

    form = HttpClient().get(link, headers=globex_host, follow=True)
    HttpClient().post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "n3w-Passw0rd!x", "password2": "n3w-Passw0rd!x"},
        headers=globex_host,
    )

    assert b"bob@globex.test" not in form.content
    with globex:
        assert get_user_model().objects.get(pk=9100).check_password(PASSWORD)

"""The accounts layer around the workspaces, attacked: e-mailed keys, admin log-in, log-in e-mail
changes, rate limits behind a proxy (issue 22, findings 1, 2, 6 and 7)."""

import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.test import Client as HttpClient
from django.test import override_settings

from pgschemas.schema import StaticSchema
from shared_app.models import WorkspaceAccount

from ..conftest import host
from ..factories import PASSWORD, OwnerFactory, UserFactory

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


# 2. Admin log-in: the log-in page's limits, and the same time for right and wrong passwords.

ADMINS = {"workspace": lambda: host("acme"), "operator": lambda: settings.DOMAIN_NAME}


def staff_of(where: str, tenant, email: str, **fields):
    """A user of the workspace ``tenant`` or of www, for that site's admin."""
    with tenant if where == "workspace" else StaticSchema("www"):
        return UserFactory(email=email, **fields)


def admin_log_in(http: HttpClient, where: str, email: str, password: str):
    return http.post(
        "/admin/login/",
        {"username": email, "password": password, "next": "/admin/"},
        headers={"host": ADMINS[where]()},
    )


@pytest.mark.parametrize("where", ADMINS)
def test_admin_log_in_is_refused_after_five_wrong_passwords_even_with_the_right_one(acme, where):
    staff_of(where, acme, "boss@example.com", is_staff=True, is_superuser=True)
    http = HttpClient()

    for _ in range(5):
        assert admin_log_in(http, where, "boss@example.com", "wrong").status_code == 200
    right = admin_log_in(http, where, "boss@example.com", PASSWORD)

    assert right.status_code == 200 and b"Too many failed login attempts" in right.content


def test_wrong_passwords_on_the_log_in_page_count_for_the_admin_too(acme):
    staff_of("workspace", acme, "boss@example.com", is_staff=True, is_superuser=True)
    http = HttpClient()
    for _ in range(5):
        http.post(
            "/accounts/login/",
            {"login": "boss@example.com", "password": "wrong"},
            headers={"host": host("acme")},
        )

    right = admin_log_in(http, "workspace", "boss@example.com", PASSWORD)

    assert right.status_code == 200 and b"Too many failed login attempts" in right.content


class CountingHasher(PBKDF2PasswordHasher):
    """Counts the passwords it hashes: what a log-in try costs is its hashing, so two kinds of
    tries that hash as many times take the same time (counted, not timed: no noise)."""

    iterations = 1_000
    hashed = 0

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        CountingHasher.hashed += 1
        return super().encode(password, salt, iterations)


def hashes_per_try(tries: dict[str, Callable[[], object]], times: int = 3) -> dict[str, set[int]]:
    """How many passwords each kind of try hashed, each time it was sent."""
    counts: dict[str, set[int]] = {kind: set() for kind in tries}
    for _ in range(times):
        for kind, send in tries.items():
            cache.clear()  # the rate limits are tested above; here only the cost of a try counts
            before = CountingHasher.hashed
            send()
            counts[kind].add(CountingHasher.hashed - before)
    return counts


@pytest.mark.parametrize("where", ADMINS)
@override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"])
def test_admin_log_in_takes_the_same_time_for_right_and_wrong_passwords(acme, where):
    staff_of(where, acme, "member@example.com")  # not staff: the right password is refused too
    http = HttpClient()

    hashed = hashes_per_try(
        {
            "right": lambda: admin_log_in(http, where, "member@example.com", PASSWORD),
            "wrong": lambda: admin_log_in(http, where, "member@example.com", "wrong"),
            "unknown": lambda: admin_log_in(http, where, "nobody@example.com", "wrong"),
        }
    )

    assert hashed["right"] == hashed["wrong"] == hashed["unknown"] == {1}


@override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"])
def test_the_log_in_page_takes_the_same_time_for_right_and_wrong_passwords(acme):
    with acme:
        UserFactory(email="member@example.com")

    def log_in_page(email: str, password: str) -> Callable[[], object]:
        return lambda: HttpClient().post(
            "/accounts/login/",
            {"login": email, "password": password},
            headers={"host": host("acme")},
        )

    hashed = hashes_per_try(
        {
            "right": log_in_page("member@example.com", PASSWORD),
            "wrong": log_in_page("member@example.com", "wrong"),
            "unknown": log_in_page("nobody@example.com", "wrong"),
        }
    )

    assert hashed["right"] == hashed["wrong"] == hashed["unknown"] == {1}


# 7. The log-in e-mail: one user per address in a workspace, changed only once confirmed.


def test_a_member_cannot_take_a_colleagues_address(member_client, acme, client):
    with acme:
        OwnerFactory(email="owner@acme.test")
    http = member_client(acme, email="member@acme.test")

    page = ask_to_change_e_mail(http, acme, "owner@acme.test")
    http.post(
        "/accounts/email/",
        {"email": "owner@acme.test", "action_primary": ""},
        headers={"host": host("acme")},
    )

    assert b"another member" in page.content
    with acme:
        assert not EmailAddress.objects.filter(user__email="member@acme.test").exclude(
            email="member@acme.test"
        )
        assert get_user_model().objects.filter(email="owner@acme.test").count() == 1
    mail.outbox.clear()
    client.post(
        "/accounts/password/reset/", {"email": "owner@acme.test"}, headers={"host": host("acme")}
    )
    assert len(mail.outbox) == 1


def test_changing_the_log_in_address_needs_its_confirmation(member_client, acme):
    http = member_client(acme, email="member@acme.test")
    acme_host = {"host": host("acme")}

    ask_to_change_e_mail(http, acme, "stranger@elsewhere.test")
    http.post(
        "/accounts/email/",
        {"email": "stranger@elsewhere.test", "action_primary": ""},
        headers=acme_host,
    )

    with acme:
        assert get_user_model().objects.filter(email="member@acme.test").exists()
    link = link_in(mail.outbox[-1])
    assert b"stranger@elsewhere.test" in http.get(link, headers=acme_host).content
    http.post(link, headers=acme_host)
    with acme:
        assert get_user_model().objects.filter(email="stranger@elsewhere.test").exists()


def test_the_workspace_index_follows_only_confirmed_addresses(member_client, acme):
    http = member_client(acme, email="member@acme.test")

    ask_to_change_e_mail(http, acme, "stranger@elsewhere.test")
    http.post(
        "/accounts/email/",
        {"email": "stranger@elsewhere.test", "action_primary": ""},
        headers={"host": host("acme")},
    )

    emails = set(WorkspaceAccount.objects.filter(tenant=acme).values_list("email", flat=True))
    assert "member@acme.test" in emails and "stranger@elsewhere.test" not in emails


def test_a_password_reset_is_not_sent_to_an_address_awaiting_its_confirmation(
    member_client, acme, client
):
    ask_to_change_e_mail(member_client(acme), acme, "stranger@elsewhere.test")
    mail.outbox.clear()

    client.post(
        "/accounts/password/reset/",
        {"email": "stranger@elsewhere.test"},
        headers={"host": host("acme")},
    )

    assert not any("/accounts/password/reset/key/" in message.body for message in mail.outbox)


# 6. Rate limits behind a proxy: the client's address, and no lock-out of the owner.


def log_in(http: HttpClient, password: str, client_ip: str):
    return http.post(
        "/accounts/login/",
        {"login": "owner@acme.test", "password": password},
        headers={"host": host("acme"), "x-forwarded-for": client_ip},
    )


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
    attacker, owner = HttpClient(REMOTE_ADDR="203.0.113.9"), HttpClient(REMOTE_ADDR="198.51.100.7")
    for _ in range(6):
        log_in(attacker, "wrong", "203.0.113.9")

    assert log_in(attacker, PASSWORD, "203.0.113.9").status_code == 200  # still refused
    assert log_in(owner, PASSWORD, "198.51.100.7").status_code == 302


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_is_counted_by_its_address(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request comes from the proxy
    for _ in range(6):
        log_in(HttpClient(**proxy), "wrong", "203.0.113.9")

    assert log_in(HttpClient(**proxy), PASSWORD, "203.0.113.9").status_code == 200
    assert log_in(HttpClient(**proxy), PASSWORD, "198.51.100.7").status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
    for number in range(6):  # a new made-up address each time, from one real one
        log_in(HttpClient(REMOTE_ADDR="203.0.113.9"), "wrong", f"192.0.2.{number}")

    refused = log_in(HttpClient(REMOTE_ADDR="203.0.113.9"), PASSWORD, "192.0.2.99")

    assert refused.status_code == 200


def production_setting(name: str, **environment: str) -> str:
    """A setting as config.settings.production reads it from this environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "MAILGUN_API_KEY": "key",
        **environment,
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(repr(getattr(settings, {name!r}, 'unset')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_production_trusts_the_proxys_client_address_only_when_configured():
    assert production_setting("ALLAUTH_TRUSTED_PROXY_COUNT") == "0"
    assert production_setting("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") == "None"
    assert production_setting("ALLAUTH_TRUSTED_PROXY_COUNT", ALLAUTH_TRUSTED_PROXY_COUNT="1") == "1"
    assert (
        production_setting(
            "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP"
        )
        == "'X-Real-IP'"
    )

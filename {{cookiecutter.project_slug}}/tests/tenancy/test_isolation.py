"""A tenant never sees another tenant's rows, users or sessions, also under concurrency."""

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from pgschemas.schema import StaticSchema
from tenant_app.models import Project

from ..conftest import TENANTS, fetch, host, secret_of
from ..factories import PASSWORD, ProjectFactory, UserFactory


@pytest.mark.django_db
def test_a_row_written_in_one_tenant_is_invisible_in_another(acme, globex):
    with acme:
        ProjectFactory(name="only in acme")
    with globex:
        assert not Project.objects.filter(name="only in acme").exists()
        assert list(Project.objects.values_list("name", flat=True)) == [secret_of("globex")]
    with acme:
        assert Project.objects.filter(name="only in acme").exists()


@pytest.mark.django_db
def test_users_are_per_tenant(acme, globex):
    User = get_user_model()
    with acme:
        UserFactory(email="alice@example.com")
    with globex:
        assert not User.objects.filter(email="alice@example.com").exists()


@pytest.mark.django_db
def test_a_session_from_one_tenant_does_not_log_in_on_another(client, acme, globex):
    with acme:
        UserFactory(email="alice@example.com", is_staff=True, is_superuser=True)
    acme_host, globex_host = host("acme"), host("globex")

    logged_in = client.post(
        "/admin/login/",
        {"username": "alice@example.com", "password": PASSWORD, "next": "/admin/"},
        headers={"host": acme_host},
    )
    assert logged_in.status_code == 302
    assert client.get("/admin/", headers={"host": acme_host}).status_code == 200

    elsewhere = client.get("/admin/", headers={"host": globex_host})

    assert elsewhere.status_code == 302
    assert elsewhere["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_customers_are_managed_on_www_never_from_a_tenants_admin(client, acme):
    with acme:  # users and sessions live in each schema
        client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    from_tenant = client.get("/admin/shared_app/client/", headers={"host": host("acme")})
    with StaticSchema("www"):
        operator = UserFactory(email="operator@example.com", is_staff=True, is_superuser=True)
        client.force_login(operator)
    from_www = client.get("/admin/shared_app/client/", headers={"host": settings.DOMAIN_NAME})

    assert from_tenant.status_code == 404
    assert from_www.status_code == 200 and b"Acme" in from_www.content


def test_concurrent_requests_each_see_only_their_own_tenant(live_server_url, member_cookies):
    session_cookies = member_cookies(*TENANTS)
    hosts = [host(name) for name in TENANTS] + [f"nobody.{settings.DOMAIN_NAME}"]
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    lock = threading.Lock()

    def hammer(worker: int) -> None:
        for round_ in range(15):
            hostname = hosts[(worker + round_) % len(hosts)]
            status, body = fetch(live_server_url, hostname, session_cookies.get(hostname, ""))
            secrets_seen = [name for name in TENANTS if secret_of(name) in body]
            expected = [name for name in TENANTS if hostname == host(name)]
            with lock:
                outcomes[hostname] += 1
                if status != (200 if expected else 404) or secrets_seen != expected:
                    problems.append(f"{hostname}: {status}, saw {secrets_seen}")

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert problems == []
    assert sum(outcomes.values()) == 90 and set(outcomes) == set(hosts)

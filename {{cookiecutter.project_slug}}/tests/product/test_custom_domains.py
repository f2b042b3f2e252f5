"""Custom domains: the rules of adding one, verification through a real DNS server (dnsmasq,
records written by the tests), expiry and the daily re-check, the primary switch and its 301."""

import threading
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from config.celery_app import app
from pgschemas.contrib.tls_ask import TLS_ASK_PATH
from pgschemas.routing.allowed_hosts import RoutedHosts
from pgschemas.routing.host_map import host_map
from shared_app import custom_domains, lifecycle
from shared_app.custom_domains import (
    PERMANENT,
    DomainRefused,
    add,
    check,
    check_due,
    make_primary,
    make_subdomain_primary,
    remove,
    txt_record_name,
)
from shared_app.models import Client, CustomDomain, Domain
from shared_app.renaming import rename
from tenant_app.tokens import make_handover_token

from ..conftest import host
from ..dns_server import DNSMASQ, DnsServer
from ..factories import PASSWORD, OwnerFactory
from ..tenancy.test_routing import asgi_get

CUSTOM = "projects.acme-corp.test"
needs_dnsmasq = pytest.mark.skipif(not DNSMASQ, reason="no dnsmasq: apt-get install dnsmasq")


def publish(server: DnsServer, custom: CustomDomain, value: str | None = None) -> None:
    server.set_txt({txt_record_name(custom.domain): [value or custom.token]})


def get(hostname: str, path: str = "/"):
    return HttpClient(headers={"host": hostname}).get(path)


def verified(tenant, domain: str = CUSTOM) -> CustomDomain:
    """A custom domain verified as a check would leave it, without DNS."""
    custom = add(tenant, domain)
    custom.status, custom.verified_at = CustomDomain.Status.VERIFIED, timezone.now()
    custom.checked_at = timezone.now()
    custom.save()
    Domain.objects.create(tenant=tenant, domain=custom.domain)
    return custom


# Rules of adding a domain.


@pytest.mark.parametrize(
    "name",
    [
        django_settings.DOMAIN_NAME,
        f"www.{django_settings.DOMAIN_NAME}",
        f"globex.{django_settings.DOMAIN_NAME}",
        f"deep.acme.{django_settings.DOMAIN_NAME}",
    ],
)
def test_a_name_of_the_products_own_domain_is_refused(acme, name):
    with pytest.raises(DomainRefused, match="belongs to this service"):
        add(acme, name)

    assert not CustomDomain.objects.exists()


@pytest.mark.parametrize("name", ["203.0.113.7", "2001:db8::1", "[2001:db8::1]"])
def test_an_ip_address_is_refused(acme, name):
    with pytest.raises(DomainRefused, match="not an IP address"):
        add(acme, name)


@pytest.mark.parametrize(
    "name",
    [
        "not a host",
        "under_score.test",
        "localhost",
        "acme.test:8443",
        "-bad.test",
        "a" * 64 + ".test",
    ],
)
def test_a_name_that_is_not_a_host_name_is_refused(acme, name):
    with pytest.raises(DomainRefused, match="is not a host name"):
        add(acme, name)


def test_a_name_already_added_by_any_workspace_is_refused_pending_or_verified(acme, globex):
    add(globex, "pending.globex.test")
    verified(globex, "served.globex.test")

    for name in ("pending.globex.test", "Served.Globex.test."):
        with pytest.raises(DomainRefused, match="already been added"):
            add(acme, name)
    assert CustomDomain.objects.filter(tenant=acme).count() == 0


def test_two_workspaces_adding_the_same_name_at_once_one_is_refused_clearly(committed_db):
    """Both pass the check before either has committed: the unique index decides, and the
    second is refused with the same message, not an error. Committed rows: two connections."""
    acme, globex = Client.objects.get(schema_name="acme"), Client.objects.get(schema_name="globex")
    first_inserted, refused = threading.Event(), []

    def first() -> None:
        with transaction.atomic():
            CustomDomain.objects.create(tenant=globex, domain=CUSTOM, token="first")
            first_inserted.set()
            time.sleep(1)  # the second insert waits on the index meanwhile
        connection.close()

    def second() -> None:
        first_inserted.wait(10)
        try:
            add(acme, CUSTOM)
        except DomainRefused as error:
            refused.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert refused == [f"{CUSTOM} has already been added by a workspace."]
        assert CustomDomain.objects.get(domain=CUSTOM).tenant == globex
    finally:
        CustomDomain.objects.filter(domain=CUSTOM).delete()


def test_a_name_reserved_by_a_renames_redirect_window_is_refused(acme, globex):
    until = timezone.now() + timedelta(days=30)
    Domain.objects.create(tenant=globex, domain="old.globex.test", redirect_until=until)

    with pytest.raises(DomainRefused, match=f"reserved until {until:%Y-%m-%d}"):
        add(acme, "old.globex.test")


def test_a_name_served_by_a_workspace_is_refused(acme, globex):
    Domain.objects.create(tenant=globex, domain="legacy.globex.test")

    with pytest.raises(DomainRefused, match="already used by a workspace"):
        add(acme, "legacy.globex.test")


def test_a_workspace_holds_at_most_a_few_pending_domains_at_once(acme):
    for number in range(custom_domains.MAX_PENDING):
        add(acme, f"d{number}.acme-corp.test")

    with pytest.raises(DomainRefused, match="waiting for their DNS record"):
        add(acme, "one-more.acme-corp.test")

    remove(CustomDomain.objects.get(domain="d0.acme-corp.test"))
    assert add(acme, "one-more.acme-corp.test").status == CustomDomain.Status.PENDING


def test_a_new_domain_is_pending_with_its_own_token_and_not_served(acme):
    custom = add(acme, " HTTPS://Projects.Acme-Corp.test/ ")
    other = add(acme, "docs.acme-corp.test")

    assert custom.domain == CUSTOM and custom.status == CustomDomain.Status.PENDING
    assert len(custom.token) >= 32 and custom.token != other.token
    assert txt_record_name(CUSTOM) == f"{django_settings.CUSTOM_DOMAIN_TXT_PREFIX}.{CUSTOM}"
    assert not Domain.objects.filter(domain=CUSTOM).exists()
    assert get(CUSTOM).status_code == 404


# Verification through a real DNS server.


@needs_dnsmasq
def test_the_right_token_verifies_the_domain_and_it_is_served(acme, dns_server):
    custom = add(acme, CUSTOM)
    publish(dns_server, custom)

    outcome = check(custom)

    custom.refresh_from_db()
    assert outcome.found is True and custom.status == CustomDomain.Status.VERIFIED
    assert custom.verified_at is not None and custom.last_error == ""
    assert Domain.objects.get(domain=CUSTOM).tenant == acme
    response = get(CUSTOM, "/accounts/login/")
    assert response.status_code == 200 and "Acme" in response.content.decode()


@needs_dnsmasq
def test_a_wrong_token_leaves_the_domain_pending(acme, dns_server):
    custom = add(acme, CUSTOM)
    publish(dns_server, custom, value="someone-elses-token")

    outcome = check(custom)

    custom.refresh_from_db()
    assert outcome.found is False and custom.status == CustomDomain.Status.PENDING
    assert "does not hold this domain's token" in custom.last_error
    assert get(CUSTOM).status_code == 404


@needs_dnsmasq
def test_a_missing_record_leaves_the_domain_pending(acme, dns_server):
    custom = add(acme, CUSTOM)

    outcome = check(custom)

    custom.refresh_from_db()
    assert outcome.found is False and custom.status == CustomDomain.Status.PENDING
    assert custom.last_error == f"No TXT record found at {txt_record_name(CUSTOM)}."
    assert not Domain.objects.filter(domain=CUSTOM).exists()


@needs_dnsmasq
def test_a_record_removed_later_fails_then_stops_serving_after_7_days_and_owners_are_told(
    acme, dns_server, mailoutbox
):
    with acme:
        OwnerFactory(email="owner@acme.test")
    custom = add(acme, CUSTOM)
    publish(dns_server, custom)
    check(custom)
    dns_server.set_txt({})

    first = check(custom)

    custom.refresh_from_db()
    assert first.found is False and custom.status == CustomDomain.Status.FAILING
    assert get(CUSTOM, "/accounts/login/").status_code == 200  # served while failing
    CustomDomain.objects.filter(pk=custom.pk).update(
        missing_since=timezone.now() - timedelta(days=7, seconds=1)
    )
    custom.refresh_from_db()

    last = check(custom)

    custom.refresh_from_db()
    assert last.stopped and custom.status == CustomDomain.Status.PENDING
    assert not Domain.objects.filter(domain=CUSTOM).exists()
    assert get(CUSTOM).status_code == 404
    [mail] = mailoutbox
    assert mail.to == ["owner@acme.test"] and CUSTOM in mail.subject
    assert txt_record_name(CUSTOM) in mail.body


@needs_dnsmasq
def test_a_failing_domain_whose_record_is_back_is_verified_again(acme, dns_server):
    custom = add(acme, CUSTOM)
    publish(dns_server, custom)
    check(custom)
    dns_server.set_txt({})
    check(custom)
    publish(dns_server, custom)

    outcome = check(custom)

    custom.refresh_from_db()
    assert outcome.found and custom.status == CustomDomain.Status.VERIFIED
    assert custom.missing_since is None


@needs_dnsmasq
def test_a_dns_server_that_does_not_answer_changes_no_state(acme, dns_server):
    custom = verified(acme)
    dns_server.stop()

    outcome = check(custom)

    custom.refresh_from_db()
    assert outcome.found is None and custom.status == CustomDomain.Status.VERIFIED
    assert "No DNS server answered" in custom.last_error


def test_a_pending_domain_expires_after_7_days_and_the_name_is_free(acme, globex):
    custom = add(acme, CUSTOM)
    fresh = add(acme, "fresh.acme-corp.test")
    CustomDomain.objects.filter(pk=custom.pk).update(
        pending_since=timezone.now() - timedelta(days=7, seconds=1)
    )

    assert custom_domains.expire_pending() == 1

    assert list(CustomDomain.objects.all()) == [fresh]
    assert add(globex, CUSTOM).tenant == globex


@needs_dnsmasq
def test_the_periodic_check_verifies_pending_and_rechecks_verified_once_a_day(
    acme, globex, dns_server
):
    pending = add(acme, CUSTOM)
    recent = verified(globex, "recent.globex.test")
    stale = verified(globex, "stale.globex.test")
    CustomDomain.objects.filter(pk=stale.pk).update(
        checked_at=timezone.now() - timedelta(days=1, seconds=1)
    )
    publish(dns_server, pending)

    outcomes = {outcome.custom.domain: outcome.found for outcome in check_due()}

    assert outcomes == {CUSTOM: True, "stale.globex.test": False}
    assert CustomDomain.objects.get(pk=recent.pk).status == CustomDomain.Status.VERIFIED
    assert CustomDomain.objects.get(pk=stale.pk).status == CustomDomain.Status.FAILING


# The primary domain.


def test_a_verified_domain_made_primary_gets_the_links_and_the_sub_domain_answers_301(acme):
    custom = verified(acme)

    make_primary(custom)

    moved = get(host("acme"), "/projects/new/?from=bookmark")
    assert moved.status_code == 301
    assert moved["Location"] == f"http://{CUSTOM}/projects/new/?from=bookmark"
    assert get(CUSTOM, "/accounts/login/").status_code == 200
    assert acme.primary_domain == CUSTOM
    assert acme.url("/invitations/x/") == f"http://{CUSTOM}/invitations/x/"
    assert Domain.objects.get(domain=host("acme")).redirect_until == PERMANENT


def test_a_workspace_served_primarily_at_a_custom_domain_is_not_renamed(acme):
    make_primary(verified(acme))

    with pytest.raises(lifecycle.ActionRefused, match="make its sub-domain primary again"):
        rename(acme, "acmeco", by="operator@example.com", reason="company renamed")

    assert acme.primary_domain == CUSTOM
    assert Domain.objects.get(domain=host("acme")).redirect_until == PERMANENT


@needs_dnsmasq
def test_the_periodic_task_is_scheduled_and_checks_the_domains(acme, dns_server):
    custom = add(acme, CUSTOM)
    publish(dns_server, custom)
    [entry] = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "shared_app.check_custom_domains"
    ]

    assert app.tasks[entry["task"]].apply().get() == 1
    assert CustomDomain.objects.get().status == CustomDomain.Status.VERIFIED


def test_a_pending_domain_cannot_be_made_primary(acme):
    custom = add(acme, CUSTOM)

    with pytest.raises(DomainRefused, match="not verified yet"):
        make_primary(custom)

    assert acme.primary_domain == host("acme")


def test_the_sub_domain_can_be_made_primary_again_and_the_custom_domain_keeps_serving(acme):
    make_primary(verified(acme))

    make_subdomain_primary(acme)

    assert acme.primary_domain == host("acme")
    assert get(host("acme"), "/accounts/login/").status_code == 200
    assert get(CUSTOM, "/accounts/login/").status_code == 200
    with pytest.raises(DomainRefused, match="already its primary"):
        make_subdomain_primary(acme)


def test_switching_between_two_custom_domains_keeps_both_served(acme):
    first = verified(acme)
    second = verified(acme, "app.acme-corp.test")
    make_primary(first)

    make_primary(second)

    assert acme.primary_domain == "app.acme-corp.test"
    assert get(CUSTOM, "/accounts/login/").status_code == 200
    assert get(host("acme"))["Location"] == "http://app.acme-corp.test/"


def test_removing_the_primary_custom_domain_gives_the_sub_domain_back(acme):
    custom = verified(acme)
    make_primary(custom)

    remove(custom)

    assert acme.primary_domain == host("acme")
    assert get(host("acme"), "/accounts/login/").status_code == 200
    assert get(CUSTOM).status_code == 404
    assert not CustomDomain.objects.exists()


# The settings page.


def test_the_owner_adds_a_domain_and_sees_the_records_to_publish(owner_client, acme, settings):
    settings.CUSTOM_DOMAIN_TARGET = "edge.example.net"

    added = owner_client.post("/settings/domains/", {"domain": CUSTOM})
    page = owner_client.get("/settings/domains/").content.decode()

    custom = CustomDomain.objects.get(tenant=acme)
    assert added.status_code == 302
    assert txt_record_name(CUSTOM) in page and custom.token in page
    assert "edge.example.net" in page and "CNAME" in page


def test_the_owner_is_told_why_a_domain_is_refused(owner_client):
    response = owner_client.post("/settings/domains/", {"domain": "203.0.113.7"})

    assert response.status_code == 400 and "not an IP address" in response.content.decode()
    assert not CustomDomain.objects.exists()


def test_a_member_who_is_not_an_owner_cannot_see_or_add_domains(member_client, acme):
    http = member_client(acme)

    assert http.get("/settings/domains/").status_code == 403
    assert http.post("/settings/domains/", {"domain": CUSTOM}).status_code == 403
    assert not CustomDomain.objects.exists()


def test_an_owner_cannot_act_on_another_workspaces_domain(owner_client, globex):
    theirs = verified(globex, "app.globex.test")

    for action in ("check", "primary", "remove"):
        assert owner_client.post(f"/settings/domains/{theirs.pk}/{action}/").status_code == 404
    assert CustomDomain.objects.filter(pk=theirs.pk).exists()


@needs_dnsmasq
def test_check_now_verifies_the_domain_and_the_owner_can_make_it_primary(
    owner_client, acme, dns_server
):
    owner_client.post("/settings/domains/", {"domain": CUSTOM})
    custom = CustomDomain.objects.get()
    publish(dns_server, custom)

    checked = owner_client.post(f"/settings/domains/{custom.pk}/check/", follow=True)
    made = owner_client.post(f"/settings/domains/{custom.pk}/primary/", follow=True)

    assert f"{CUSTOM} is verified." in checked.content.decode()
    assert "is now the workspace&#x27;s primary domain" in made.content.decode()
    assert acme.primary_domain == CUSTOM


@needs_dnsmasq
def test_check_now_is_rate_limited_per_workspace(owner_client, dns_server, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "custom_domain_check": "2/h/key",
    }
    owner_client.post("/settings/domains/", {"domain": CUSTOM})
    custom = CustomDomain.objects.get()

    pages = [
        owner_client.post(f"/settings/domains/{custom.pk}/check/", follow=True).content.decode()
        for _ in range(3)
    ]

    assert "checked its domains often lately" not in pages[1]
    assert "checked its domains often lately" in pages[2]


def test_the_owner_lands_logged_in_at_the_primary_custom_domain_after_a_hand_over(acme):
    make_primary(verified(acme))
    with acme:
        owner = OwnerFactory(email="owner@example.com")
        token = make_handover_token(acme, owner.pk)

    link = acme.url(f"/welcome/{token}/")
    there = HttpClient(headers={"host": CUSTOM})

    assert link.startswith(f"http://{CUSTOM}/welcome/")
    assert there.get(link.split(CUSTOM)[1]).status_code == 302
    assert there.get("/settings/").status_code == 200


# TLS on demand: what the proxy may get a certificate for.


def tls_ask(domain: str, asked_at: str = "edge.internal") -> int:
    return get(asked_at, f"{TLS_ASK_PATH}?domain={domain}").status_code


def test_tls_ask_allows_verified_custom_domains_and_the_products_own_names(acme):
    verified(acme)
    add(acme, "pending.acme-corp.test")

    assert tls_ask(CUSTOM) == 200
    assert tls_ask(host("acme")) == 200
    assert tls_ask(django_settings.DOMAIN_NAME) == 200
    assert tls_ask(f"www.{django_settings.DOMAIN_NAME}") == 200
    assert tls_ask("pending.acme-corp.test") == 404
    assert tls_ask("unknown.test") == 404
    assert tls_ask(host("nobody")) == 404
    assert tls_ask("203.0.113.7") == 404
    assert tls_ask("") == 404


def test_tls_ask_refuses_a_removed_domain_and_a_workspace_pending_deletion(acme, globex):
    remove(verified(acme))
    verified(globex, "app.globex.test")
    lifecycle.delete(globex, by="operator@example.com", reason="asked by the customer")

    assert tls_ask(CUSTOM) == 404
    assert tls_ask("app.globex.test") == 404
    assert tls_ask(host("globex")) == 404


def test_tls_ask_answers_from_the_host_map_without_a_query(
    acme, settings, django_assert_num_queries
):
    verified(acme)
    settings.PGSCHEMAS_ROUTING_CHECK_SECONDS = 3600
    tls_ask(CUSTOM)  # loads the map
    tls_ask("unknown.test")  # looked up once, then remembered as unknown

    with django_assert_num_queries(0):
        assert tls_ask(CUSTOM) == 200
        assert tls_ask("unknown.test") == 404


# Hosts, CSRF and sessions at a custom domain.


@pytest.fixture
def routed_hosts_only(settings) -> None:
    """ALLOWED_HOSTS as in production: the product's names, and what the host map routes."""
    settings.ALLOWED_HOSTS = RoutedHosts(
        [django_settings.DOMAIN_NAME, f".{django_settings.DOMAIN_NAME}"]
    )
    host_map().expire()


def test_allowed_hosts_admit_a_verified_custom_domain_only_while_it_is_served(
    acme, routed_hosts_only
):
    add(acme, "pending.acme-corp.test")
    custom = verified(acme)

    assert get(CUSTOM, "/accounts/login/").status_code == 200
    assert get(host("acme"), "/accounts/login/").status_code == 200
    assert get("pending.acme-corp.test", "/accounts/login/").status_code == 400
    assert get("unknown.test").status_code == 400
    remove(custom)
    assert get(CUSTOM, "/accounts/login/").status_code == 400


def test_allowed_hosts_admit_a_verified_custom_domain_over_asgi_too(acme, routed_hosts_only):
    verified(acme)
    add(acme, "pending.acme-corp.test")

    served = async_to_sync(asgi_get)(CUSTOM, "/accounts/login/")
    refused = async_to_sync(asgi_get)("pending.acme-corp.test", "/accounts/login/")

    assert served[0] == 200 and b"Acme" in served[1]
    assert refused[0] == 400


def test_plain_http_at_a_custom_domain_is_sent_to_https(acme, routed_hosts_only, settings):
    settings.SECURE_SSL_REDIRECT = True  # Django's SecurityMiddleware reads the host first
    verified(acme)

    response = get(CUSTOM, "/accounts/login/?next=/")

    assert response.status_code == 301
    assert response["Location"] == f"https://{CUSTOM}/accounts/login/?next=/"


def test_a_form_at_a_custom_domain_passes_csrf_from_its_own_origin_only(acme, globex):
    verified(acme)
    verified(globex, "app.globex.test")
    http = HttpClient(enforce_csrf_checks=True, headers={"host": CUSTOM})
    with acme:
        http.force_login(OwnerFactory(email="owner@example.com"))
    http.get("/settings/domains/")
    form = {"domain": "docs.acme-corp.test", "csrfmiddlewaretoken": http.cookies["csrftoken"].value}

    foreign = http.post("/settings/domains/", form, headers={"origin": "http://app.globex.test"})
    own = http.post("/settings/domains/", form, headers={"origin": f"http://{CUSTOM}"})

    assert foreign.status_code == 403
    assert own.status_code == 302
    assert CustomDomain.objects.filter(domain="docs.acme-corp.test").exists()


def test_the_session_cookie_set_at_a_custom_domain_is_for_that_host_only(acme):
    verified(acme)
    with acme:
        OwnerFactory(email="owner@example.com")
    http = HttpClient(headers={"host": CUSTOM})

    response = http.post("/accounts/login/", {"login": "owner@example.com", "password": PASSWORD})

    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value and cookie["domain"] == ""  # host-only: never sent to the sub-domain

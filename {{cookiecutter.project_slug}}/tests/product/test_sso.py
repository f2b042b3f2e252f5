"""Single sign-on per workspace (issue 16) against a real OpenID Connect provider process
(tests/identity_provider: django-oauth-toolkit with OpenID Connect, PKCE, RS256) on a free
loopback port: the owner's settings, log-in of a member, just-in-time membership, refusals, a
callback replayed or taken to another workspace, "SSO only"."""

import json
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from tenant_app.models import AuditEvent, WorkspaceSecurity

from ..conftest import host
from ..factories import PASSWORD, OwnerFactory, UserFactory
from ..processes import oidc_provider

pytestmark = [pytest.mark.django_db, pytest.mark.processes]
SECRET = "s3cret-of-the-client"
USERS = {
    "member@acme.test": {"email_verified": True},
    "newcomer@acme.test": {"email_verified": True},
    "stranger@other.test": {"email_verified": True},
    "unverified@acme.test": {"email_verified": False},
}


def callback(schema_name: str) -> str:
    return f"http://{host(schema_name)}/accounts/oidc/sso/login/callback/"


@pytest.fixture
def issuer(tmp_path):
    clients = {
        f"{name}-client": {"secret": SECRET, "redirect_uris": [callback(name)]}
        for name in ("acme", "globex")
    }
    with oidc_provider({"clients": clients, "users": USERS}, tmp_path) as url:
        yield url


def client_of(schema_name: str, email: str | None = None) -> HttpClient:
    http = HttpClient(headers={"host": host(schema_name)})
    if email:
        http.post("/accounts/login/", {"login": email, "password": PASSWORD})
    return http


def configure(schema_name: str, issuer: str, **fields: str) -> object:
    owner = client_of(schema_name, f"owner@{schema_name}.test")
    data = {
        "company": f"{schema_name.title()} Corp",
        "issuer": issuer,
        "client_id": f"{schema_name}-client",
        "client_secret": SECRET,
        **fields,
    }
    return owner.post("/settings/sso/", data)


@pytest.fixture
def acme_sso(acme, issuer):
    with acme:
        OwnerFactory(email="owner@acme.test")
        UserFactory(email="member@acme.test")
    assert configure("acme", issuer, sso_domains="acme.test")["Location"] == "/settings/"
    return issuer


def start(http: HttpClient, person: str) -> str:
    """Click "Continue with", log in at the provider: the callback path it sends back to."""
    asked = http.post("/accounts/oidc/sso/login/")
    assert asked.status_code == 302, asked.content
    answer = requests.get(
        asked["Location"], cookies={"idp_user": person}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_the_owner_configures_the_provider_and_the_secret_is_never_shown(acme, globex, acme_sso):
    with acme:
        app = SocialApp.objects.get()
        assert (app.name, app.client_id, app.secret) == ("Acme Corp", "acme-client", SECRET)
        assert app.settings["server_url"] == acme_sso
        event = AuditEvent.objects.get(action="sso_settings")
        assert event.actor == "owner@acme.test" and SECRET not in json.dumps(event.details)
    with globex:
        assert not SocialApp.objects.exists()
    page = client_of("acme", "owner@acme.test").get("/settings/").content.decode()
    assert "acme-client" in page and SECRET not in page
    assert configure("acme", acme_sso, client_secret="")["Location"] == "/settings/"  # kept
    with acme:
        assert SocialApp.objects.get().secret == SECRET
    login_page = client_of("acme").get("/accounts/login/").content.decode()
    assert "Continue with Acme Corp" in login_page
    assert "Continue with" not in client_of("globex").get("/accounts/login/").content.decode()


def test_a_member_logs_in_through_the_provider(acme_sso):
    http = client_of("acme")
    assert http.get(start(http, "member@acme.test"))["Location"] == "/"
    assert "member@acme.test" in http.get("/").content.decode()


def test_a_verified_address_of_a_listed_domain_joins_at_first_log_in(acme, acme_sso):
    http = client_of("acme")
    assert http.get(start(http, "newcomer@acme.test"))["Location"] == "/"
    with acme:
        newcomer = get_user_model().objects.get(email="newcomer@acme.test")
    assert newcomer.role == "member" and not newcomer.has_usable_password()


@pytest.mark.parametrize("person", ["stranger@other.test", "unverified@acme.test"])
def test_others_are_refused(acme, acme_sso, person):
    http = client_of("acme")
    http.get(start(http, person))
    assert http.get("/").status_code == 302
    with acme:
        assert not get_user_model().objects.filter(email=person).exists()


def test_a_callback_replayed_or_taken_to_another_workspace_logs_in_nobody(acme, globex, acme_sso):
    with globex:
        OwnerFactory(email="owner@globex.test")
        UserFactory(email="member@acme.test")
    configure("globex", acme_sso, sso_domains="acme.test")
    http = client_of("acme")
    path = start(http, "member@acme.test")

    elsewhere = client_of("globex")
    elsewhere.get(path)  # the state lives in acme's session, the code was made for acme
    assert elsewhere.get("/").status_code == 302

    assert http.get(path)["Location"] == "/"
    replay = client_of("acme")
    replay.get(path)
    assert replay.get("/").status_code == 302


def test_sso_only_refuses_members_passwords_but_not_owners(acme, acme_sso):
    configure("acme", acme_sso, sso_only="on")
    with acme:
        assert WorkspaceSecurity.load().sso_only
    refused = client_of("acme").post(
        "/accounts/login/", {"login": "member@acme.test", "password": PASSWORD}
    )
    assert b"single sign-on only" in refused.content
    assert client_of("acme", "owner@acme.test").get("/").status_code == 200
    http = client_of("acme")
    assert http.get(start(http, "member@acme.test"))["Location"] == "/"


def test_a_first_configuration_needs_the_secret(acme, issuer):
    with acme:
        OwnerFactory(email="owner@acme.test")
    response = configure("acme", issuer, client_secret="")
    assert response.status_code == 400 and b"Give the client secret" in response.content
    with acme:
        assert not SocialApp.objects.exists()


def test_starts_of_single_sign_on_are_limited_per_client_address(acme_sso, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "sso_login": "3/m/ip"}
    http = client_of("acme")
    statuses = [http.post("/accounts/oidc/sso/login/").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]

"""Social log-in on www (issue 16): one callback URL on www; the person picks among the
workspaces of the addresses the provider verified and is handed over with the single-use token
of the sign-up, or creates a workspace without a password. The provider is the real test
OpenID Connect process (tests/identity_provider), configured as a www-level app in settings, as
Google or GitHub would be."""

import re
from urllib.parse import urlsplit

import pytest
import requests
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from shared_app.models import Client
from tenant_app.models import WorkspaceSecurity

from ..conftest import host
from ..factories import OwnerFactory, UserFactory
from ..processes import oidc_provider

pytestmark = [pytest.mark.django_db, pytest.mark.processes]
WWW = django_settings.DOMAIN_NAME
SECRET = "www-social-secret"
USERS = {
    "pat@example.test": {"email_verified": True},
    "newbie@example.test": {"email_verified": True},
    "unverified@example.test": {"email_verified": False},
}


@pytest.fixture
def social(settings, tmp_path):
    """The test provider as www's social log-in ("Continue with Test ID")."""
    callback = f"http://{WWW}/accounts/oidc/social/login/callback/"
    config = {"clients": {"www": {"secret": SECRET, "redirect_uris": [callback]}}, "users": USERS}
    with oidc_provider(config, tmp_path) as issuer:
        app = {
            "provider_id": "social",
            "name": "Test ID",
            "client_id": "www",
            "secret": SECRET,
            "settings": {"server_url": issuer, "oauth_pkce_enabled": True},
        }
        settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}
        yield issuer


@pytest.fixture
def pat(acme, globex):
    """pat@example.test is a member of acme and an owner of globex."""
    with acme:
        UserFactory(email="pat@example.test")
    with globex:
        OwnerFactory(email="pat@example.test")


def www() -> HttpClient:
    return HttpClient(headers={"host": WWW})


def continue_with(http: HttpClient, person: str, then: str = "/social/workspaces/") -> object:
    """Click "Continue with Test ID" on www, be ``person`` at the provider: www's answer to the
    provider's callback."""
    asked = http.post("/accounts/oidc/social/login/", {"process": "login", "next": then})
    assert asked.status_code == 302, asked.content
    answer = requests.get(
        asked["Location"], cookies={"idp_user": person}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}" == f"http://{WWW}"  # the one callback, on www
    return http.get(f"{back.path}?{back.query}")


def enter(url: str) -> HttpClient:
    """Open a hand-over link on its workspace's host: a client logged in there."""
    link = urlsplit(url)
    http = HttpClient(headers={"host": link.netloc})
    assert http.get(link.path)["Location"] == "/"
    return http


def test_the_log_in_pages_of_www_offer_the_provider_and_workspaces_do_not(social, acme):
    assert "Continue with Test ID" in www().get("/accounts/login/").content.decode()
    assert "Continue with Test ID" in www().get("/signup/").content.decode()
    workspace = HttpClient(headers={"host": host("acme")})
    assert "Continue with Test ID" not in workspace.get("/accounts/login/").content.decode()
    assert workspace.post("/accounts/oidc/social/login/").status_code == 404
    assert workspace.post("/accounts/google/login/").status_code == 404


def test_the_person_picks_one_of_two_workspaces_and_is_handed_over_once(social, pat, acme, globex):
    http = www()
    assert continue_with(http, "pat@example.test")["Location"] == "/social/workspaces/"
    page = http.get("/social/workspaces/")
    assert [account.tenant.schema_name for account in page.context["accounts"]] == [
        "acme",
        "globex",
    ]
    assert http.get("/").wsgi_request.user.is_anonymous  # nobody is logged in on www

    handed = http.post("/social/workspaces/", {"workspace": globex.pk})
    assert re.fullmatch(rf"http://{re.escape(host('globex'))}/welcome/[^/]+/", handed["Location"])
    inside = enter(handed["Location"])
    assert inside.get("/").wsgi_request.user.email == "pat@example.test"
    replay = HttpClient(headers={"host": host("globex")}).get(urlsplit(handed["Location"]).path)
    assert replay.status_code == 400 and b"already used" in replay.content
    again = http.post("/social/workspaces/", {"workspace": acme.pk})
    assert again.status_code == 400  # the provider's word was used: continue again


def test_a_workspace_where_the_address_is_no_member_is_refused(social, pat, acme):
    other = Client.objects.create(schema_name="initech", name="Initech")
    http = www()
    continue_with(http, "pat@example.test")
    refused = http.post("/social/workspaces/", {"workspace": other.pk})
    assert refused.status_code == 400 and b"Choose one of these workspaces" in refused.content
    assert http.post("/social/workspaces/", {"workspace": "x"}).status_code == 400


def test_a_member_with_two_factor_goes_to_the_workspace_s_log_in_page(social, pat, acme):
    with acme:
        member = get_user_model().objects.get(email="pat@example.test")
        Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={})
    http = www()
    continue_with(http, "pat@example.test")
    answer = http.post("/social/workspaces/", {"workspace": acme.pk})
    assert answer["Location"] == f"http://{host('acme')}/accounts/login/"


def test_sso_only_workspaces_send_members_to_their_log_in_page(social, pat, acme):
    with acme:
        WorkspaceSecurity.objects.create(pk=1, sso_only=True)
    http = www()
    continue_with(http, "pat@example.test")
    answer = http.post("/social/workspaces/", {"workspace": acme.pk})
    assert answer["Location"] == f"http://{host('acme')}/accounts/login/"


def test_an_unverified_address_is_refused(social, pat):
    http = www()
    refused = continue_with(http, "unverified@example.test")
    assert refused.status_code == 403 and b"did not confirm your e-mail" in refused.content
    assert http.get("/social/workspaces/").status_code == 400


def test_the_pages_need_a_recent_social_log_in(social):
    for path in ("/social/workspaces/", "/social/signup/"):
        page = www().get(path)
        assert page.status_code == 400 and b"continue with your provider again" in page.content


def test_sign_up_with_a_social_account_creates_the_workspace_and_an_owner_without_password(
    social,
):
    http = www()
    arrived = continue_with(http, "newbie@example.test", then="/social/signup/")
    assert arrived["Location"] == "/social/signup/"
    form = http.get("/social/signup/")
    assert "password" not in form.context["form"].fields
    data = {"workspace_name": "Newco", "subdomain": "newco", "email": "newbie@example.test"}
    created = http.post("/social/signup/", data)
    assert created.status_code == 302, created.content
    inside = enter(created["Location"])
    assert inside.get("/").wsgi_request.user.email == "newbie@example.test"
    with Client.objects.get(schema_name="newco"):
        owner = get_user_model().objects.get()
    assert owner.is_owner and not owner.has_usable_password()


def test_sign_up_takes_only_an_address_the_provider_verified(social):
    http = www()
    continue_with(http, "newbie@example.test", then="/social/signup/")
    data = {"workspace_name": "Newco", "subdomain": "newco", "email": "boss@example.test"}
    refused = http.post("/social/signup/", data)
    assert refused.status_code == 200 and "email" in refused.context["form"].errors
    assert not Client.objects.filter(schema_name="newco").exists()


def test_starts_of_social_log_in_are_limited_per_client_address(social, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "social_login": "2/m/ip"}
    http = www()
    statuses = [http.post("/accounts/oidc/social/login/").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]

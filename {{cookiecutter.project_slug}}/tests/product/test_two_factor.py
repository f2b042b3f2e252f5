"""Two-factor (django-allauth's mfa): an authenticator app with recovery codes, codes computed by
pyotp as the person's phone would; a workspace that requires it; operators on www (issue 16)."""

import re
import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client as HttpClient

from pgschemas.schema import StaticSchema
from tenant_app.models import WorkspaceSecurity

from ..conftest import host
from ..factories import PASSWORD, OwnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_step_of_tolerance(settings):
    """A code of the next 30 s step is accepted too, so a test can log in right after setting
    up with a code it has not used yet (allauth refuses a code used once)."""
    settings.MFA_TOTP_TOLERANCE = 1


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


def log_in(schema_name: str, email: str) -> tuple[HttpClient, object]:
    http = HttpClient(headers={"host": host(schema_name)})
    response = http.post("/accounts/login/", {"login": email, "password": PASSWORD})
    return http, response


def set_up_authenticator_app(http: HttpClient) -> str:
    """Set up TOTP as a person does: confirm the password (allauth asks again before any
    two-factor change), read the secret on the page, answer with a code."""
    asked = http.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/?next=")
    confirmed = http.post(asked["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    page = http.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown to type in by hand, besides the QR code
    done = http.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    return secret


def test_a_member_sets_up_an_authenticator_app_then_logs_in_with_a_code(acme):
    with acme:
        member = UserFactory(email="ann@acme.test")
    http, _ = log_in("acme", "ann@acme.test")
    secret = set_up_authenticator_app(http)
    with acme:
        assert set(Authenticator.objects.filter(user=member).values_list("type", flat=True)) == {
            Authenticator.Type.TOTP,
            Authenticator.Type.RECOVERY_CODES,
        }

    http, response = log_in("acme", "ann@acme.test")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert http.get("/").status_code == 302  # the password alone does not log in
    wrong = http.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and b"Incorrect code" in wrong.content
    code = next_code(secret)
    assert http.post("/accounts/2fa/authenticate/", {"code": code})["Location"] == "/"
    assert http.get("/").status_code == 200

    replay, _ = log_in("acme", "ann@acme.test")
    assert b"Incorrect code" in replay.post("/accounts/2fa/authenticate/", {"code": code}).content
    assert replay.get("/").status_code == 302


def test_wrong_codes_count_as_failed_log_ins(acme):
    with acme:
        UserFactory(email="mal@acme.test")
    secret = set_up_authenticator_app(log_in("acme", "mal@acme.test")[0])
    http, _ = log_in("acme", "mal@acme.test")
    for _ in range(5):  # ACCOUNT_LOGIN_FAILED_RATE_LIMIT: 5 per 5 minutes per account
        assert b"Incorrect code" in http.post("/accounts/2fa/authenticate/", {"code": "1"}).content
    refused = http.post("/accounts/2fa/authenticate/", {"code": next_code(secret)})
    assert b"Too many failed" in refused.content
    assert http.get("/").status_code == 302


def test_a_recovery_code_logs_in_once(acme):
    with acme:
        member = UserFactory(email="bob@acme.test")
    http, _ = log_in("acme", "bob@acme.test")
    set_up_authenticator_app(http)
    with acme:
        codes = RecoveryCodes(
            Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        ).get_unused_codes()
    assert len(codes) == 10

    http, _ = log_in("acme", "bob@acme.test")
    assert http.post("/accounts/2fa/authenticate/", {"code": codes[0]})["Location"] == "/"
    again, _ = log_in("acme", "bob@acme.test")
    refused = again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert b"Incorrect code" in refused.content
    assert again.get("/").status_code == 302
    with acme:
        unused = RecoveryCodes(
            Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        ).get_unused_codes()
    assert codes[0] not in unused and len(unused) == 9


def test_a_code_of_one_workspace_is_no_code_in_another(acme, globex):
    """The same address in two workspaces is two people, each with their own secret."""
    with acme:
        UserFactory(email="eve@example.com")
    with globex:
        UserFactory(email="eve@example.com")
    acme_secret = set_up_authenticator_app(log_in("acme", "eve@example.com")[0])
    globex_secret = set_up_authenticator_app(log_in("globex", "eve@example.com")[0])
    assert acme_secret != globex_secret

    http, _ = log_in("globex", "eve@example.com")
    http.post("/accounts/2fa/authenticate/", {"code": next_code(acme_secret)})
    assert http.get("/").status_code == 302


def test_an_owner_requires_two_factor_and_a_member_without_it_must_set_it_up_first(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
        UserFactory(email="member@acme.test")
    member, _ = log_in("acme", "member@acme.test")
    assert member.get("/").status_code == 200
    assert member.post("/settings/security/", {"require_two_factor": "on"}).status_code == 403

    owner, _ = log_in("acme", "owner@acme.test")
    saved = owner.post("/settings/security/", {"require_two_factor": "on"})
    assert saved["Location"] == "/settings/"
    with acme:
        assert WorkspaceSecurity.load().require_two_factor

    for path in ("/", "/members/", "/settings/", "/accounts/password/change/", "/admin/"):
        response = member.get(path)
        assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/"), path
    assert member.get("/accounts/2fa/").status_code == 200
    set_up_authenticator_app(member)
    assert member.get("/").status_code == 200
    assert member.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_requirement_is_per_workspace(acme, globex):
    with acme:
        WorkspaceSecurity.objects.create(pk=1, require_two_factor=True)
        UserFactory(email="ann@example.com")
    with globex:
        UserFactory(email="ann@example.com")
    assert log_in("acme", "ann@example.com")[0].get("/")["Location"] == "/accounts/2fa/"
    assert log_in("globex", "ann@example.com")[0].get("/").status_code == 200


def test_a_bad_security_form_is_answered_with_its_errors(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
    owner, _ = log_in("acme", "owner@acme.test")
    page = owner.get("/settings/")
    assert b"Require two-factor for every member" in page.content
    assert owner.post("/settings/security/", {}).status_code == 302  # unticked: off
    with acme:
        assert not WorkspaceSecurity.load().require_two_factor


@pytest.mark.parametrize("required", [True, False])
def test_operators_on_www_set_up_two_factor_when_required(settings, required):
    settings.OPERATORS_REQUIRE_TWO_FACTOR = required
    with StaticSchema("www"):
        UserFactory(email="operator@example.com", is_staff=True)
        UserFactory(email="visitor@example.com")
    operator, response = log_in("www", "operator@example.com")
    assert response["Location"] == "/console/"
    console = operator.get("/console/")
    if required:
        assert (console.status_code, console["Location"]) == (302, "/accounts/2fa/")
        set_up_authenticator_app(operator)
    assert operator.get("/console/").status_code == 200
    visitor, _ = log_in("www", "visitor@example.com")  # not an operator: nothing required
    assert visitor.get("/").status_code == 200


def test_the_operator_admin_sends_an_account_with_two_factor_to_the_log_in_page():
    """The admin's form checks a password only: it must not let a second factor be skipped."""
    with StaticSchema("www"):
        UserFactory(email="operator@example.com", is_staff=True)
    operator, _ = log_in("www", "operator@example.com")
    set_up_authenticator_app(operator)

    admin = HttpClient(headers={"host": host("www")})
    response = admin.post(
        "/admin/login/?next=/admin/",
        {"username": "operator@example.com", "password": PASSWORD},
    )
    assert response.status_code == 200
    link = b'This account uses two-factor: <a href="/accounts/login/?next=/admin/">'
    assert link in response.content
    assert admin.get("/admin/").status_code == 302


def test_the_two_factor_pages_load_their_scripts_from_files_only(acme):
    """The strict Content-Security-Policy allows no inline script: allauth's pages carry data
    in <script type="application/json"> (never run) and code in static files."""
    with acme:
        UserFactory(email="ann@acme.test")
    http, _ = log_in("acme", "ann@acme.test")
    set_up_authenticator_app(http)
    pages = [(HttpClient(headers={"host": host("acme")}), "/accounts/login/")]
    pages += [(http, path) for path in ("/accounts/2fa/", "/accounts/2fa/recovery-codes/")]
    pages += [(http, "/accounts/2fa/webauthn/add/")]
    for client, path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "script-src" not in page["Content-Security-Policy"]  # default-src 'self' rules
        for tag in re.findall(r"<script[^>]*>", page.content.decode()):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)

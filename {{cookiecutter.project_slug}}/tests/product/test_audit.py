"""The workspace's audit log (issue 16): every audited action writes exactly its row, with who
and from which address; owners filter it, page through it and export it as CSV; www has none."""

import csv
import io
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.utils import timezone

from pgschemas.schema import StaticSchema
from shared_app.models import OperatorAction
from tenant_app.models import (
    ApiKey,  # >>> include_api <<<
    AuditEvent,
    Invitation,
    Project,
)
from tenant_app.tokens import make_invitation_token

from ..conftest import host
from ..factories import PASSWORD, OwnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(acme):
    with acme:
        return OwnerFactory(email="owner@acme.test"), UserFactory(email="ann@acme.test")


def http_for(schema_name: str = "acme") -> HttpClient:
    return HttpClient(headers={"host": host(schema_name)})


def logged_in(acme, email: str = "owner@acme.test") -> HttpClient:
    http = http_for()
    with acme:
        http.force_login(get_user_model().objects.get(email=email))
    return http


def events(acme) -> list[tuple[str, str, dict]]:
    """(action, actor, details) of every row, oldest first."""
    with acme:
        rows = AuditEvent.objects.order_by("at", "id")
        return [(event.action, event.actor, event.details) for event in rows]


def test_a_log_in_a_failed_log_in_and_a_log_out_write_one_row_each(acme, people):
    http = http_for()
    wrong = http.post("/accounts/login/", {"login": "ann@acme.test", "password": "not it"})
    assert wrong.status_code == 200
    right = http.post("/accounts/login/", {"login": "ann@acme.test", "password": PASSWORD})
    assert right["Location"] == "/"
    http.post("/accounts/logout/")
    assert events(acme) == [
        ("login_failed", "ann@acme.test", {"step": "password"}),
        ("login", "ann@acme.test", {"method": "password"}),
        ("logout", "ann@acme.test", {}),
    ]
    with acme:
        assert set(AuditEvent.objects.values_list("address", flat=True)) == {"127.0.0.1"}


def test_a_wrong_password_at_the_admin_s_log_in_is_recorded_too(acme, people):
    http_for().post("/admin/login/", {"username": "ann@acme.test", "password": "not it"})
    assert events(acme) == [("login_failed", "ann@acme.test", {"step": "password"})]


def test_nothing_is_recorded_on_www(acme):
    www = HttpClient(headers={"host": host("www")})
    with StaticSchema("www"):
        UserFactory(email="operator@example.com", is_staff=True)
    www.post("/accounts/login/", {"login": "operator@example.com", "password": "not it"})
    www.post("/accounts/login/", {"login": "operator@example.com", "password": PASSWORD})
    assert events(acme) == []


def test_two_factor_and_passkeys_added_and_removed(
    acme, people, settings, django_capture_on_commit_callbacks
):
    settings.MFA_TOTP_TOLERANCE = 1
    http = http_for()

    def post(path: str, data: dict | None = None) -> None:
        with django_capture_on_commit_callbacks(execute=True):  # allauth signals on commit
            assert http.post(path, data or {}).status_code == 302

    post("/accounts/login/", {"login": "ann@acme.test", "password": PASSWORD})
    post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = http.get("/accounts/2fa/totp/activate/").context["form"].secret
    post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    post("/accounts/2fa/recovery-codes/generate/")
    with acme:
        ann = get_user_model().objects.get(email="ann@acme.test")
        passkey = Authenticator.objects.create(
            user=ann, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"}
        )
    post(f"/accounts/2fa/webauthn/keys/{passkey.pk}/remove/")
    post("/accounts/2fa/totp/deactivate/")
    recorded = [(action, details) for action, _, details in events(acme) if action != "login"]
    assert recorded == [
        ("two_factor_added", {"kind": "totp"}),
        ("two_factor_added", {"kind": "recovery_codes"}),
        ("recovery_codes_renewed", {}),
        ("passkey_removed", {"kind": "webauthn"}),
        ("two_factor_removed", {"kind": "totp"}),
        ("two_factor_removed", {"kind": "recovery_codes"}),
    ]


def test_a_wrong_second_factor_is_a_failed_log_in(acme, people):
    with acme:
        ann = get_user_model().objects.get(email="ann@acme.test")
        Authenticator.objects.create(
            user=ann, type=Authenticator.Type.TOTP, data={"secret": pyotp.random_base32()}
        )
    http = http_for()
    http.post("/accounts/login/", {"login": "ann@acme.test", "password": PASSWORD})
    http.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert events(acme) == [("login_failed", "ann@acme.test", {"step": "two-factor code"})]


def test_members_invited_withdrawn_joined_promoted_and_removed(acme, people):
    owner = logged_in(acme)
    owner.post("/members/", {"email": "bob@acme.test"})
    owner.post("/members/", {"email": "cy@acme.test"})
    with acme:
        bob = Invitation.objects.get(email="bob@acme.test")
        cy = Invitation.objects.get(email="cy@acme.test")
    owner.post(f"/members/invitations/{cy.pk}/revoke/")
    joined = http_for().post(
        f"/invitations/{make_invitation_token(acme, bob.pk)}/",
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
    )
    assert joined["Location"] == "/"
    with acme:
        member = get_user_model().objects.get(email="bob@acme.test")
    owner.post(f"/members/{member.pk}/role/", {"role": "owner"})
    owner.post(f"/members/{member.pk}/role/", {"role": "member"})
    owner.post(f"/members/{member.pk}/remove/")
    assert events(acme) == [
        ("member_invited", "owner@acme.test", {"email": "bob@acme.test"}),
        ("member_invited", "owner@acme.test", {"email": "cy@acme.test"}),
        ("invitation_withdrawn", "owner@acme.test", {"email": "cy@acme.test"}),
        ("member_joined", "bob@acme.test", {"via": "invitation"}),
        ("role_changed", "owner@acme.test", {"email": "bob@acme.test", "role": "Member → Owner"}),
        ("role_changed", "owner@acme.test", {"email": "bob@acme.test", "role": "Owner → Member"}),
        ("member_removed", "owner@acme.test", {"email": "bob@acme.test"}),
    ]


def test_a_role_change_against_the_rules_is_refused_and_records_nothing(acme, people):
    with acme:
        ann = get_user_model().objects.get(email="ann@acme.test")
        first = get_user_model().objects.get(email="owner@acme.test")
    alone = logged_in(acme).post(f"/members/{first.pk}/role/", {"role": "member"}, follow=True)
    assert "A workspace keeps at least one owner" in alone.content.decode()
    with acme:
        ann.role = "owner"
        ann.save()
    refused = logged_in(acme, "ann@acme.test").post(
        f"/members/{first.pk}/role/", {"role": "member"}, follow=True
    )
    assert "only they can stop being an owner" in refused.content.decode()
    nonsense = logged_in(acme, "ann@acme.test").post(f"/members/{ann.pk}/role/", {"role": "boss"})
    assert nonsense.status_code == 302
    assert events(acme) == []
    with acme:
        assert get_user_model().objects.get(email="owner@acme.test").is_owner


def test_only_owners_change_roles(acme, people):
    with acme:
        ann = get_user_model().objects.get(email="ann@acme.test")
    refused = logged_in(acme, "ann@acme.test").post(f"/members/{ann.pk}/role/", {"role": "owner"})
    assert refused.status_code == 403
    assert events(acme) == []


# >>> include_api
def test_api_keys_are_recorded(acme, people):
    owner = logged_in(acme)
    created = owner.post("/settings/api-keys/", {"key-name": "CI", "key-scope": "read"})
    assert created.status_code == 201
    with acme:
        key = ApiKey.objects.get()
    owner.post(f"/settings/api-keys/{key.pk}/revoke/")
    assert [(action, details) for action, _, details in events(acme)] == [
        ("api_key_created", {"key": "CI", "scope": "read"}),
        ("api_key_revoked", {"key": "CI"}),
    ]


# <<< include_api
def test_data_exports_are_recorded(acme, people):
    logged_in(acme).post("/settings/export/")
    assert [(action, details) for action, _, details in events(acme)] == [("data_export", {})]


def test_deleting_a_project_is_recorded(acme, people):
    with acme:
        project = Project.objects.create(name="Roadmap")
    http = logged_in(acme, "ann@acme.test")
    assert http.post(f"/projects/{project.pk}/delete/")["Location"] == "/"
    assert http.post(f"/projects/{project.pk}/delete/").status_code == 404  # gone: no row
    assert events(acme) == [
        ("project_deleted", "ann@acme.test", {"project": "Roadmap", "id": project.pk}),
    ]


# >>> include_api
def test_deleting_a_project_through_the_api_is_recorded_with_the_key(client, acme, api_key):
    with acme:
        project = Project.objects.create(name="Roadmap")
    key = api_key(acme)
    headers = {"host": host("acme"), "authorization": f"Bearer {key}"}
    assert client.delete(f"/api/v1/projects/{project.pk}/", headers=headers).status_code == 204
    with acme:
        prefix = ApiKey.objects.get().prefix
    assert events(acme) == [
        ("project_deleted", f"API key {prefix}", {"project": "Roadmap", "id": project.pk}),
    ]


# <<< include_api
def test_the_owner_asking_for_the_workspace_s_deletion_is_recorded(acme, people):
    owner = logged_in(acme)
    mistyped = owner.post("/settings/delete/", {"confirm_name": "acme"})
    assert mistyped.status_code == 400 and events(acme) == []

    deleted = owner.post("/settings/delete/", {"confirm_name": "Acme", "reason": "moving on"})
    assert deleted.status_code == 302
    purge_after = OperatorAction.objects.get(action="delete").details["purge_after"]
    assert events(acme) == [
        ("workspace_deletion", "owner@acme.test", {"purge_after": purge_after}),
    ]
    with acme:
        assert AuditEvent.objects.get().reason == "moving on"


def make_events(acme, count: int, **fields: object) -> None:
    with acme:
        for _ in range(count):
            AuditEvent.objects.create(
                **{"actor": "owner@acme.test", "action": "login", **fields}  # type: ignore[arg-type]
            )


def test_the_audit_page_filters_by_action_actor_and_days(acme, people):
    make_events(acme, 2)
    make_events(acme, 1, actor="ann@acme.test", action="logout")
    with acme:
        old = AuditEvent.objects.create(actor="ann@acme.test", action="login")
        AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    owner = logged_in(acme)

    def listed(**query: str) -> list[tuple[str, str]]:
        page = owner.get("/settings/audit/", query)
        assert page.status_code == 200
        return [(event.action, event.actor) for event in page.context["page"]]

    assert len(listed()) == 4
    assert listed(action="logout") == [("logout", "ann@acme.test")]
    assert listed(actor="ANN@") == [("logout", "ann@acme.test"), ("login", "ann@acme.test")]
    today = timezone.localdate().isoformat()
    assert len(listed(since=today)) == 3
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert listed(since=ten_days_ago, until=ten_days_ago) == [("login", "ann@acme.test")]

    wrong = owner.get("/settings/audit/", {"since": today, "until": ten_days_ago})
    assert wrong.status_code == 400 and b"The first day comes after the last." in wrong.content
    assert owner.get("/settings/audit/", {"action": "nonsense"}).status_code == 400


def test_the_audit_page_is_paged_and_keeps_its_filters(acme, people):
    make_events(acme, 51, action="logout")
    make_events(acme, 3)
    page = logged_in(acme).get("/settings/audit/", {"action": "logout"})
    assert len(page.context["page"]) == 50
    assert 'href="?action=logout&amp;page=2"' in page.content.decode()
    second = logged_in(acme).get("/settings/audit/", {"action": "logout", "page": "2"})
    assert len(second.context["page"]) == 1


def test_the_csv_export_follows_the_filters_and_is_itself_recorded(acme, people):
    make_events(acme, 1, actor="=HYPERLINK(1)", action="login_failed")
    make_events(acme, 1, actor="ann@acme.test", action="logout")
    owner = logged_in(acme)
    response = owner.get("/settings/audit/export/", {"action": "login_failed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-acme-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["when", "who", "what", "from", "why", "until", "details"]
    assert [row[1:3] for row in rows[1:]] == [["'=HYPERLINK(1)", "Failed log-in"]]
    with acme:
        exported = AuditEvent.objects.filter(action="audit_export").get()
    assert (exported.actor, exported.details) == (
        "owner@acme.test",
        {"filters": "action=login_failed"},
    )


def test_members_see_neither_the_audit_page_nor_its_export(acme, people):
    member = logged_in(acme, "ann@acme.test")
    assert member.get("/settings/audit/").status_code == 403
    assert member.get("/settings/audit/export/").status_code == 403
    assert events(acme) == []

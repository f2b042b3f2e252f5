"""Support access (issue 16): an operator opens a member's session in a workspace from the
console, for a limited time and with a reason; the link is signed, single-use and bound to the
workspace; the owners see it in their audit log, the operators in the operator action log; it
ends at its time; the owners can switch it off."""

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from pgschemas.schema import StaticSchema
from shared_app.models import OperatorAction
from tenant_app.models import AuditEvent, Project, WorkspaceSecurity
from tenant_app.support import open_session

from ..conftest import host
from ..factories import OperatorFactory, OwnerFactory, UserFactory

pytestmark = pytest.mark.django_db
OPERATOR = "operator@example.com"
REASON = "Ticket 4711: the customer cannot see their projects"


def operator_client(email: str = OPERATOR, *permissions: str) -> HttpClient:
    http = HttpClient(headers={"host": django_settings.DOMAIN_NAME})
    with StaticSchema("www"):
        http.force_login(OperatorFactory(email=email, permissions=list(permissions)))
    return http


@pytest.fixture
def operator() -> HttpClient:
    """An operator allowed to open support sessions (read-only ones)."""
    return operator_client(OPERATOR, "open_support_session")


@pytest.fixture
def members(acme):
    with acme:
        OwnerFactory(email="owner@acme.test")
        UserFactory(email="member@acme.test")


def ask(operator: HttpClient, schema_name: str = "acme", **fields: object):
    data = {"member_email": "member@acme.test", "reason": REASON, "minutes": 30, **fields}
    return operator.post(
        f"/console/{schema_name}/support/", {f"support-{k}": v for k, v in data.items()}
    )


def workspace_client(schema_name: str = "acme") -> HttpClient:
    return HttpClient(headers={"host": host(schema_name)})


def link_path(response) -> str:
    assert response.status_code == 302
    prefix = f"http://{host('acme')}"
    assert response["Location"].startswith(f"{prefix}/support/")
    return response["Location"].removeprefix(prefix)


def test_an_operator_opens_a_support_session_with_a_banner_and_both_records(
    operator, acme, members
):
    link = link_path(ask(operator))
    support = workspace_client()
    assert support.get(link)["Location"] == "/"
    page = support.get("/").content.decode()
    assert f"Support session: {OPERATOR} is acting as member@acme.test until" in page
    assert REASON in page

    record = OperatorAction.objects.get(schema_name="acme", action="support_access")
    assert (record.actor, record.reason, record.details["member"]) == (
        OPERATOR,
        REASON,
        "member@acme.test",
    )
    with acme:
        event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.reason) == (
        f"Support: {OPERATOR}",
        "support_access",
        REASON,
    )
    assert event.until.isoformat() == record.details["until"]
    assert timedelta(minutes=29) < event.until - event.at <= timedelta(minutes=30)

    owner = workspace_client()
    with acme:
        owner.force_login(get_user_model().objects.get(email="owner@acme.test"))
    audit = owner.get("/settings/audit/").content.decode()
    assert f"Support: {OPERATOR}" in audit and REASON in audit and "as: member@acme.test" in audit
    assert support.get("/settings/audit/").status_code == 403  # the member is no owner


def test_the_link_is_single_use_and_bound_to_its_workspace(operator, acme, globex, members):
    with globex:
        UserFactory(email="member@acme.test")  # the same address elsewhere
    link = link_path(ask(operator))
    elsewhere = workspace_client("globex").get(link)
    assert elsewhere.status_code == 400 and b"another workspace" in elsewhere.content
    assert workspace_client("globex").get("/").status_code == 302  # nobody logged in there

    assert workspace_client().get(link)["Location"] == "/"
    again = workspace_client().get(link)
    assert again.status_code == 400 and b"already used" in again.content
    forged = workspace_client().get(link[:-3] + "xx/")
    assert forged.status_code == 400 and b"not valid" in forged.content


def test_the_session_ends_at_its_time(acme, members):
    path = open_session(
        acme,
        member_email="member@acme.test",
        operator=OPERATOR,
        reason=REASON,
        duration=timedelta(seconds=2),
    )
    support = workspace_client()
    assert support.get(path)["Location"] == "/"
    assert support.get("/").status_code == 200
    deadline = time.monotonic() + 30
    while support.get("/").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert support.get("/")["Location"].startswith("/accounts/login/")


def test_a_link_opened_after_the_session_ended_is_refused(acme, members):
    path = open_session(
        acme,
        member_email="member@acme.test",
        operator=OPERATOR,
        reason=REASON,
        duration=timedelta(milliseconds=1),
    )
    time.sleep(0.01)
    refused = workspace_client().get(path)
    assert refused.status_code == 400 and b"has ended" in refused.content


def test_the_owners_switch_support_access_off(operator, acme, members):
    with acme:
        owner = workspace_client()
        owner.force_login(get_user_model().objects.get(email="owner@acme.test"))
    assert owner.post("/settings/security/", {})["Location"] == "/settings/"  # unticked: off
    with acme:
        assert not WorkspaceSecurity.load().allow_support_access

    page = operator.get("/console/acme/").content.decode()
    assert "Support access is switched off by the workspace's owners." in page
    refused = ask(operator)
    assert refused.status_code == 400 and b"switched off by the workspace" in refused.content
    assert not OperatorAction.objects.filter(action="support_access").exists()
    with acme:
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["security_settings"]
        assert AuditEvent.objects.get().details == {"Allow support access": False}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"reason": "  "}, b"This field is required"),
        ({"member_email": "nobody@acme.test"}, b"has no active member nobody@acme.test"),
        ({"minutes": 0}, b"greater than or equal to 1"),
        ({"minutes": 481}, b"less than or equal to 480"),
    ],
)
def test_a_refused_request_says_why_and_records_nothing(operator, acme, members, fields, error):
    response = ask(operator, **fields)
    assert response.status_code == 400 and error in response.content
    assert not OperatorAction.objects.filter(action="support_access").exists()
    with acme:
        assert not AuditEvent.objects.exists()


def test_only_www_staff_open_support_sessions(acme, members):
    visitor = HttpClient(headers={"host": django_settings.DOMAIN_NAME})
    with StaticSchema("www"):
        visitor.force_login(UserFactory(email="visitor@example.com"))
    assert visitor.post("/console/acme/support/")["Location"].startswith("/admin/login/")
    with acme:
        assert not AuditEvent.objects.exists()


def test_a_support_session_is_not_asked_for_the_member_s_two_factor(operator, acme, members):
    with acme:
        WorkspaceSecurity.objects.create(pk=1, require_two_factor=True)
    support = workspace_client()
    support.get(link_path(ask(operator)))
    assert support.get("/").status_code == 200


def test_the_audit_log_is_append_only(acme):
    with acme:
        event = AuditEvent.objects.create(actor="x", action="support_access", reason="r")
        event.reason = "rewritten"
        with pytest.raises(ValueError, match="append-only"):
            event.save()


def test_a_staff_user_without_the_permission_opens_no_support_session(acme, members):
    staff = operator_client("staff@example.com")
    assert "needs the permission" in staff.get("/console/acme/").content.decode()
    assert ask(staff).status_code == 403
    assert not OperatorAction.objects.filter(action="support_access").exists()
    with acme:
        assert not AuditEvent.objects.exists()


def test_a_support_session_is_read_only_by_default(operator, acme, members):
    support = workspace_client()
    support.get(link_path(ask(operator)))
    assert ", read-only (" in support.get("/").content.decode()  # the banner says so
    refused = support.post("/projects/new/", {"name": "Sneaky"})
    assert refused.status_code == 403
    assert b"This support session is read-only" in refused.content
    assert support.post("/settings/security/", {}).status_code == 403
    with acme:
        assert not Project.objects.filter(name="Sneaky").exists()
        assert WorkspaceSecurity.load().allow_support_access
    assert support.post("/accounts/logout/").status_code == 302  # log-out stays open
    assert support.get("/")["Location"].startswith("/accounts/login/")


def test_a_read_write_session_needs_its_own_permission(operator, acme, members):
    refused = ask(operator, read_write="on")
    assert refused.status_code == 400 and b"read-only support sessions only" in refused.content
    assert not OperatorAction.objects.filter(action="support_access").exists()

    allowed = operator_client(
        "senior@example.com", "open_support_session", "open_read_write_support_session"
    )
    support = workspace_client()
    support.get(link_path(ask(allowed, read_write="on")))
    assert support.post("/projects/new/", {"name": "Fixed"})["Location"] == "/"
    with acme:
        assert Project.objects.filter(name="Fixed").exists()
        assert AuditEvent.objects.get(action="support_access").details["mode"] == "read-write"
    assert OperatorAction.objects.get(action="support_access").details["mode"] == "read-write"


def test_an_operator_ends_a_session_early_from_the_console_with_both_records(
    operator, acme, members
):
    link = link_path(ask(operator))
    support = workspace_client()
    support.get(link)
    with acme:
        started = AuditEvent.objects.get(action="support_access")
    assert "End now" in operator.get("/console/acme/").content.decode()
    blank = operator.post(f"/console/acme/support/{started.pk}/end/", {"end-reason": " "})
    assert blank.status_code == 400
    ended = operator.post(
        f"/console/acme/support/{started.pk}/end/", {"end-reason": "Done with ticket 4711"}
    )
    assert ended["Location"] == "/console/acme/"
    assert support.get("/")["Location"].startswith("/accounts/login/")  # logged out at once

    with acme:
        event = AuditEvent.objects.get(action="support_ended")
    assert (event.actor, event.reason, event.details["session"], event.details["as"]) == (
        f"Support: {OPERATOR}",
        "Done with ticket 4711",
        started.pk,
        "member@acme.test",
    )
    record = OperatorAction.objects.get(action="support_ended")
    assert (record.actor, record.details["member"]) == (f"Support: {OPERATOR}", "member@acme.test")
    again = operator.post(
        f"/console/acme/support/{started.pk}/end/", {"end-reason": "Twice"}, follow=True
    )
    assert b"already over" in again.content
    assert OperatorAction.objects.filter(action="support_ended").count() == 1


def test_a_link_of_an_ended_session_is_refused(operator, acme, members):
    link = link_path(ask(operator))
    with acme:
        started = AuditEvent.objects.get(action="support_access")
    operator.post(f"/console/acme/support/{started.pk}/end/", {"end-reason": "Not needed"})
    refused = workspace_client().get(link)
    assert refused.status_code == 400 and b"was ended" in refused.content


def test_the_owner_ends_a_session_from_the_settings(operator, acme, members):
    support = workspace_client()
    support.get(link_path(ask(operator)))
    owner = workspace_client()
    with acme:
        owner.force_login(get_user_model().objects.get(email="owner@acme.test"))
        started = AuditEvent.objects.get(action="support_access")
    page = owner.get("/settings/").content.decode()
    assert f"Support session open: Support: {OPERATOR} as member@acme.test" in page
    assert owner.post(f"/settings/support/{started.pk}/end/")["Location"] == "/settings/"
    assert support.get("/")["Location"].startswith("/accounts/login/")
    with acme:
        event = AuditEvent.objects.get(action="support_ended")
    assert (event.actor, event.address) == ("owner@acme.test", "127.0.0.1")
    assert OperatorAction.objects.get(action="support_ended").actor == "owner@acme.test"
    assert "Support session open" not in owner.get("/settings/").content.decode()
    assert workspace_client().post(f"/settings/support/{started.pk}/end/").status_code == 302
    refused = workspace_client()
    with acme:
        refused.force_login(get_user_model().objects.get(email="member@acme.test"))
    assert refused.post(f"/settings/support/{started.pk}/end/").status_code == 403

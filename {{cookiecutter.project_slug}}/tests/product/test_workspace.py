"""A customer's workspace: members only, projects, members and invitations, settings, accounts."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape

from pgschemas.schema import StaticSchema
from tenant_app.models import Invitation, Project
from tenant_app.tokens import make_invitation_token

from ..conftest import host, secret_of
from ..factories import PASSWORD, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
# Pages that anyone may open: log-in and password reset, and the links that bring people in.
OPEN_TO_ANYONE = re.compile(r"^(accounts/|welcome/|support/|invitations/|admin/)")


# URL prefixes whose pages are not listed: allauth's own, the admin's
NOT_WALKED = (
    "accounts/",
    "admin/",
    # >>> include_api
    "api/",  # the API answers 401 rather than a redirect: tests/product/test_api.py
    # <<< include_api
)


def workspace_urls() -> list[str]:
    """Every URL of the workspace's URLconf, with 1 for each argument, except allauth's own."""
    urls = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith(NOT_WALKED):
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not OPEN_TO_ANYONE.match(route):
                urls.append("/" + re.sub(r"<[^>]+>", "1", route))

    walk(get_resolver("tenant_app.urls").url_patterns, "")
    return urls


def test_every_workspace_url_is_walked():
    assert {"/", "/projects/new/", "/members/", "/settings/"} <= set(workspace_urls())


@pytest.mark.parametrize("url", workspace_urls())
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_go_to_the_log_in_page_and_see_no_data(client, acme, url, method):
    response = getattr(client, method)(url, headers={"host": host("acme")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert secret_of("acme").encode() not in response.content


def test_a_member_of_one_workspace_is_anonymous_on_another(member_client, acme, globex):
    http = member_client(acme)

    response = http.get("/", headers={"host": host("globex")})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_log_in_page_is_the_products_not_the_admins(client, acme):
    page = client.get("/accounts/login/", headers={"host": host("acme")}).content.decode()

    assert "Acme" in page and escape(settings.PROJECT_NAME) in page
    assert "Django administration" not in page and 'href="/static/css/site.css"' in page


def test_log_in_by_e_mail_and_log_out(client, acme):
    with acme:
        UserFactory(email="ann@example.com")
    acme_host = {"host": host("acme")}

    logged_in = client.post(
        "/accounts/login/", {"login": "ann@example.com", "password": PASSWORD}, headers=acme_host
    )
    dashboard = client.get("/", headers=acme_host)
    client.post("/accounts/logout/", headers=acme_host)
    after = client.get("/", headers=acme_host)

    assert logged_in.status_code == 302 and logged_in["Location"] == "/"
    assert dashboard.status_code == 200 and secret_of("acme").encode() in dashboard.content
    assert after.status_code == 302


def test_nobody_signs_up_inside_a_workspace(client, acme):
    response = client.post(
        "/accounts/signup/",
        {"email": "eve@example.com", "password1": PASSWORD, "password2": PASSWORD},
        headers={"host": host("acme")},
    )

    with acme:
        assert not get_user_model().objects.filter(email="eve@example.com").exists()
    assert b"closed" in response.content.lower()


def test_password_reset_mails_a_link_to_this_workspace(client, acme):
    with acme:
        UserFactory(email="ann@example.com")

    client.post(
        "/accounts/password/reset/", {"email": "ann@example.com"}, headers={"host": host("acme")}
    )

    assert len(mail.outbox) == 1
    assert f"http://{host('acme')}/accounts/password/reset/key/" in mail.outbox[0].body


def test_projects_are_created_edited_and_deleted_by_members(member_client, acme):
    http = member_client(acme)

    http.post("/projects/new/", {"name": "Launch", "description": "Go live"})
    with acme:
        project = Project.objects.get(name="Launch")
    http.post(f"/projects/{project.pk}/edit/", {"name": "Launch v2", "description": ""})
    listed = http.get("/").content.decode()
    http.post(f"/projects/{project.pk}/delete/")

    assert "Launch v2" in listed
    with acme:
        assert not Project.objects.filter(pk=project.pk).exists()


def test_a_project_of_another_workspace_is_not_found_by_url(member_client, acme, globex):
    with globex:
        other = ProjectFactory(name="globex only")

    response = member_client(acme).get(f"/projects/{other.pk}/edit/")

    assert response.status_code == 404


def test_a_blank_project_name_is_a_form_error(member_client, acme):
    response = member_client(acme).post("/projects/new/", {"name": ""})

    assert response.status_code == 200 and "This field is required." in response.content.decode()


# Members and invitations ------------------------------------------------------------------


def invite(http, email: str = "new@example.com"):
    return http.post("/members/", {"email": email})


def invitation_link() -> str:
    return re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)


def test_the_owner_invites_by_e_mail_and_sees_the_pending_invitation(member_client, acme):
    owner = member_client(acme, role="owner")

    response = invite(owner)
    page = owner.get("/members/").content.decode()

    assert response.status_code == 302
    assert mail.outbox[0].to == ["new@example.com"]
    assert invitation_link().startswith(f"http://{host('acme')}/invitations/")
    assert "Pending invitations" in page and "new@example.com" in page


def test_accepting_an_invitation_sets_a_password_and_logs_in(member_client, acme):
    invite(member_client(acme, role="owner"))
    path = invitation_link().split(host("acme"), 1)[1]
    newcomer = HttpClient(headers={"host": host("acme")})

    joined = newcomer.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    dashboard = newcomer.get("/")

    assert joined.status_code == 302
    assert dashboard.status_code == 200 and dashboard.wsgi_request.user.email == "new@example.com"
    with acme:
        member = get_user_model().objects.get(email="new@example.com")
        assert not member.is_owner and member.check_password(PASSWORD)
        assert Invitation.objects.get(email="new@example.com").accepted_at is not None


def test_an_invitation_cannot_be_used_twice(member_client, acme):
    invite(member_client(acme, role="owner"))
    path = invitation_link().split(host("acme"), 1)[1]
    data = {"new_password1": PASSWORD, "new_password2": PASSWORD}
    HttpClient(headers={"host": host("acme")}).post(path, data)

    again = HttpClient(headers={"host": host("acme")}).post(path, data)

    assert again.status_code == 400 and b"already used" in again.content


def test_an_invitation_is_refused_by_another_workspace(member_client, acme, globex):
    invite(member_client(acme, role="owner"))
    path = invitation_link().split(host("acme"), 1)[1]
    with globex:  # an invitation with the same id exists there too
        Invitation.objects.create(email="other@example.com")

    response = HttpClient(headers={"host": host("globex")}).get(path)

    assert response.status_code == 400 and b"another workspace" in response.content


def test_a_forged_invitation_link_is_refused(client, acme):
    with acme:
        invitation = Invitation.objects.create(email="x@example.com")
        token = make_invitation_token(acme, invitation.pk)

    response = client.get(f"/invitations/{token}x/", headers={"host": host("acme")})

    assert response.status_code == 400


def test_members_cannot_do_what_owners_do(member_client, acme):
    with acme:
        victim = UserFactory(email="victim@example.com")
        pending = Invitation.objects.create(email="pending@example.com")
    member = member_client(acme)

    attempts = [
        invite(member),
        member.post(f"/members/{victim.pk}/remove/"),
        member.post(f"/members/invitations/{pending.pk}/revoke/"),
        member.post("/settings/", {"name": "Hijacked"}),
    ]

    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert mail.outbox == []
    acme.refresh_from_db()
    assert acme.name == "Acme"
    with acme:
        assert get_user_model().objects.filter(pk=victim.pk).exists()
        assert Invitation.objects.filter(pk=pending.pk).exists()


def test_the_owner_removes_a_member_and_withdraws_an_invitation(member_client, acme):
    with acme:
        leaving = UserFactory(email="leaving@example.com")
        pending = Invitation.objects.create(email="pending@example.com")
    owner = member_client(acme, role="owner")

    owner.post(f"/members/{leaving.pk}/remove/")
    owner.post(f"/members/invitations/{pending.pk}/revoke/")

    with acme:
        assert not get_user_model().objects.filter(pk=leaving.pk).exists()
        assert not Invitation.objects.filter(pk=pending.pk).exists()


def test_inviting_a_member_again_is_a_form_error(member_client, acme):
    owner = member_client(acme, role="owner", email="boss@example.com")

    response = invite(owner, "boss@example.com")

    assert "already a member" in response.content.decode() and mail.outbox == []


# Settings and admin ----------------------------------------------------------------------------


def test_the_owner_renames_the_workspace_and_sees_its_domains(member_client, acme):
    owner = member_client(acme, role="owner")

    owner.post("/settings/", {"name": "Acme Corp"})
    page = owner.get("/settings/").content.decode()

    acme.refresh_from_db()
    assert acme.name == "Acme Corp"
    assert host("acme") in page and 'name="domain' not in page


@pytest.mark.parametrize("where", ["tenant", "www"])
def test_both_admins_show_the_products_name(client, acme, where):
    schema, hostname = (acme, host("acme")) if where == "tenant" else (StaticSchema("www"), None)
    with schema:
        client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get("/admin/", headers={"host": hostname or settings.DOMAIN_NAME})

    assert page.status_code == 200
    assert escape(settings.PROJECT_NAME) in page.content.decode()
    assert "Django administration" not in page.content.decode()

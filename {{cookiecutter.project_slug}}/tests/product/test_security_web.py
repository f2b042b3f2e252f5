"""The web layer around the workspaces: media files, redirects, links in e-mails, headers."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient

from ..conftest import host
from ..factories import PASSWORD, DomainFactory, UserFactory

pytestmark = pytest.mark.django_db

ACME_LOGO = b"acme's confidential logo"


@pytest.fixture
def acme_file(acme, settings, tmp_path) -> str:
    """The name of a file uploaded in acme (its media folder in tmp_path)."""
    settings.MEDIA_ROOT = tmp_path
    with acme:
        return default_storage.save("plans/logo.txt", ContentFile(ACME_LOGO))


def test_media_of_a_workspace_is_refused_to_anonymous_visitors(client, acme_file):
    response = client.get(f"/media/{acme_file}", headers={"host": host("acme")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_media_of_a_workspace_is_refused_to_members_of_another(member_client, globex, acme_file):
    globex_member = member_client(globex)

    response = globex_member.get(f"/media/{acme_file}", headers={"host": host("acme")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", ["/media/{name}", "/media/acme/{name}", "/media/../acme/{name}"])
def test_media_of_a_workspace_is_not_found_on_another_workspaces_host(
    member_client, globex, acme_file, path
):
    globex_member = member_client(globex)

    response = globex_member.get(path.format(name=acme_file))

    assert response.status_code == 404
    assert ACME_LOGO not in response.content


def test_media_of_a_workspace_is_served_to_its_members(member_client, acme, acme_file):
    response = member_client(acme).get(f"/media/{acme_file}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == ACME_LOGO
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private"


def test_media_urls_name_no_schema(acme, acme_file):
    with acme:
        assert default_storage.url(acme_file) == f"/media/{acme_file}"


def test_behind_nginx_the_proxy_sends_the_file_after_the_views_checks(
    member_client, acme, acme_file, settings
):
    settings.MEDIA_SERVER = "x-accel-redirect"

    response = member_client(acme).get(f"/media/{acme_file}")
    anonymous = HttpClient().get(f"/media/{acme_file}", headers={"host": host("acme")})

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/internal-media/acme/{acme_file}"
    assert response["Content-Type"].startswith("text/plain")
    assert anonymous.status_code == 302 and "X-Accel-Redirect" not in anonymous


def test_behind_apache_the_proxy_sends_the_file_after_the_views_checks(
    member_client, acme, acme_file, settings, tmp_path
):
    settings.MEDIA_SERVER = "x-sendfile"

    response = member_client(acme).get(f"/media/{acme_file}")

    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == str(tmp_path / "acme" / acme_file)


def test_a_storage_without_local_files_redirects_members_to_its_own_url(
    member_client, acme, settings
):
    """S3 (django-storages) signs that URL and limits it in time."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": "https://files.example.net/"},
        },
    }
    with acme:
        name = default_storage.save("plan.txt", ContentFile(ACME_LOGO))

    response = member_client(acme).get(f"/media/{name}")
    anonymous = HttpClient().get(f"/media/{name}", headers={"host": host("acme")})

    assert response.status_code == 302
    assert response["Location"] == f"https://files.example.net/{name}"
    assert anonymous["Location"].startswith("/accounts/login/")


@pytest.fixture
def production_hosts(settings) -> None:
    """ALLOWED_HOSTS as production has them: the domain and every sub-domain."""
    settings.ALLOWED_HOSTS = [settings.DOMAIN_NAME, f".{settings.DOMAIN_NAME}"]


@pytest.mark.parametrize(
    "next_url",
    [
        f"http://{host('evil')}/phish/",
        f"//{host('evil')}/phish/",
        f"http://{host('globex')}/",
        "https://elsewhere.test/",
    ],
)
def test_log_in_does_not_follow_next_to_another_host(client, acme, production_hosts, next_url):
    with acme:
        UserFactory(email="ann@example.com")

    response = client.post(
        "/accounts/login/",
        {"login": "ann@example.com", "password": PASSWORD, "next": next_url},
        headers={"host": host("acme")},
    )

    assert response.status_code == 302 and response["Location"] == "/"


def test_log_in_follows_next_on_its_own_host(client, acme, production_hosts):
    with acme:
        UserFactory(email="ann@example.com")

    response = client.post(
        "/accounts/login/",
        {"login": "ann@example.com", "password": PASSWORD, "next": "/members/"},
        headers={"host": host("acme")},
    )

    assert response.status_code == 302 and response["Location"] == "/members/"


def test_log_out_does_not_follow_next_to_another_host(member_client, acme, production_hosts):
    response = member_client(acme).post(
        "/accounts/logout/", {"next": f"http://{host('evil')}/phish/"}
    )

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


ACME_WITH_A_PORT = {"host": f"{host('acme')}:8443"}


def test_a_password_reset_link_takes_the_configured_port_not_the_requests(client, acme):
    with acme:
        UserFactory(email="ann@example.com")

    client.post("/accounts/password/reset/", {"email": "ann@example.com"}, headers=ACME_WITH_A_PORT)

    message = mail.outbox[-1]
    assert f"http://{host('acme')}/accounts/password/reset/key/" in message.body
    assert ":8443" not in message.body + message.subject


def test_a_password_reset_link_is_on_the_primary_domain_and_the_configured_scheme(
    client, acme, settings
):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    DomainFactory(tenant=acme, domain="projects.acme.test", is_primary=False)
    with acme:
        UserFactory(email="ann@example.com")

    client.post(
        "/accounts/password/reset/",
        {"email": "ann@example.com"},
        headers={"host": "projects.acme.test"},
    )

    body = mail.outbox[-1].body
    assert f"https://{host('acme')}/accounts/password/reset/key/" in body
    assert "projects.acme.test" not in body


def test_a_reset_asked_for_an_unknown_address_links_without_the_requests_port(client, acme):
    client.post(
        "/accounts/password/reset/", {"email": "nobody@example.com"}, headers=ACME_WITH_A_PORT
    )

    assert len(mail.outbox) == 1 and ":8443" not in mail.outbox[0].body + mail.outbox[0].subject


def test_an_invitation_link_takes_the_configured_port_not_the_requests(member_client, acme):
    owner = member_client(acme, role="owner")

    owner.post("/members/", {"email": "new@example.com"}, headers=ACME_WITH_A_PORT)

    body = mail.outbox[-1].body
    assert f"http://{host('acme')}/invitations/" in body and ":8443" not in body


def test_find_my_workspace_links_take_the_configured_port_not_the_requests(client, acme):
    with acme:
        UserFactory(email="ann@example.com")

    client.post(
        "/find-my-workspace/",
        {"email": "ann@example.com"},
        headers={"host": f"{settings.DOMAIN_NAME}:8443"},
    )

    body = mail.outbox[-1].body
    assert f"http://{host('acme')}/" in body and ":8443" not in body


@pytest.mark.parametrize(
    ("where", "path"),
    [("www", "/"), ("www", "/signup/"), ("www", "/admin/login/"), ("acme", "/accounts/login/")],
)
def test_pages_carry_a_content_security_policy_without_inline_code(client, acme, where, path):
    response = client.get(
        path, headers={"host": host(where) if where != "www" else settings.DOMAIN_NAME}
    )

    policy = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

"""The web layer around the workspaces: media files, redirects, links in e-mails, headers."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient

from .conftest import host

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

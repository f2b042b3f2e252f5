"""The owner's "Download all your data" (workspace settings): the export runs as a Celery task
(inline in tests: CELERY_TASK_ALWAYS_EAGER), the owner gets an e-mailed link valid 24 hours that
only an owner of that workspace can use."""

import io
import json
import re
import tarfile
import time

import pytest
from django.core import mail

from ..conftest import host

LINK = re.compile(r"http://[^/\s]+(/settings/export/[^/\s]+/)")


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.WORKSPACE_EXPORTS_DIR = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.WORKSPACE_EXPORTS_DIR


@pytest.fixture
def download_path(acme, member_client):
    """An owner of acme asks for the export; the path of the link e-mailed to them."""
    owner = member_client(acme, role="owner", email="owner@acme.test")
    response = owner.post("/settings/export/")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["owner@acme.test"]
    return owner, LINK.search(message.body)[1]


def test_an_owner_downloads_the_workspace_archive_from_the_emailed_link(download_path, exports_dir):
    owner, path = download_path

    response = owner.get(path)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="acme-')
    with tarfile.open(fileobj=io.BytesIO(b"".join(response.streaming_content))) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["schema"] == "acme" and manifest["row_counts"]["tenant_app_project"] == 1
    assert [p.parent.name for p in exports_dir.rglob("*.tar.gz")] == ["acme"]


def test_the_link_is_refused_to_a_member_who_is_not_an_owner(download_path, acme, member_client):
    _, path = download_path

    assert member_client(acme).get(path).status_code == 403


def test_the_link_is_refused_in_another_workspace_even_to_its_owner(
    download_path, globex, member_client
):
    _, path = download_path

    response = member_client(globex, role="owner").get(path)

    assert response.status_code == 400
    assert b"made for another workspace" in response.content


def test_the_link_expires_after_24_hours(download_path, monkeypatch):
    owner, path = download_path
    later = time.time() + 24 * 3600 + 1
    monkeypatch.setattr(time, "time", lambda: later)

    response = owner.get(path)

    assert response.status_code == 400 and b"expired" in response.content


def test_an_anonymous_visitor_is_sent_to_log_in(download_path, client):
    _, path = download_path

    response = client.get(path, headers={"host": host("acme")})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_an_owner_can_start_an_export(acme, member_client, exports_dir):
    member = member_client(acme)

    assert member.post("/settings/export/").status_code == 403
    assert mail.outbox == [] and not exports_dir.exists()


def test_the_settings_page_offers_the_download_to_owners_only(acme, member_client):
    owner_page = member_client(acme, role="owner").get("/settings/").content.decode()
    member_page = member_client(acme).get("/settings/").content.decode()

    assert "Download all your data" in owner_page
    assert "Download all your data" not in member_page

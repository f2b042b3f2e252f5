"""Cache, media, logs, error reports and background tasks: each keeps to the active tenant."""

import logging

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from pgschemas.contrib.log import SchemaFilter
from pgschemas.contrib.sentry import tag_with_schema
from pgschemas.schema import StaticSchema
from tenant_app.models import Project
from tenant_app.tasks import project_names, rename_project

from ..conftest import secret_of

pytestmark = pytest.mark.django_db


def test_the_same_cache_key_holds_one_value_per_tenant(acme, globex):
    with acme:
        cache.set("stats", "acme's")
    with globex:
        assert cache.get("stats") is None
        cache.set("stats", "globex's")
    with acme:
        assert cache.get("stats") == "acme's"
    assert cache.get("stats") is None  # public


def test_media_files_land_in_a_folder_per_tenant(acme, globex, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path, MEDIA_URL="/media/"):
        with acme:
            name = default_storage.save("logo.txt", ContentFile(b"acme logo"))
            url = default_storage.url(name)
        with globex:
            assert not default_storage.exists(name)

    assert (tmp_path / "acme" / name).read_bytes() == b"acme logo"
    assert url == f"/media/{name}"  # served on the tenant's host, see test_security_web.py


def test_every_log_record_carries_the_active_schema(acme):
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello", None, None)

    with acme:
        SchemaFilter().filter(record)

    assert record.schema == "acme"


def test_error_reports_are_tagged_with_the_tenant(acme):
    with acme:
        event = tag_with_schema({"tags": {"release": "1"}}, {})

    assert event["tags"] == {"release": "1", "tenant": "acme"}


def test_a_task_runs_in_the_tenant_it_was_sent_from(acme, globex):
    with acme:
        assert project_names.delay().get() == [secret_of("acme")]
    with globex:
        assert project_names.delay().get() == [secret_of("globex")]
    with StaticSchema("www"), pytest.raises(Exception, match="tenant_app_project"):
        project_names.delay().get()


def test_a_task_cannot_reach_another_tenants_rows(acme, globex):
    with globex:
        globex_project = Project.objects.get()
    with acme, pytest.raises(Project.DoesNotExist):
        rename_project.delay(globex_project.pk + 10_000, "stolen").get()
    with globex:
        assert rename_project.delay(globex_project.pk, "renamed").get() == "renamed"

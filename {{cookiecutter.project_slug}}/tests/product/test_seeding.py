"""schema_created: a new tenant's first data, made in its schema once it is migrated."""

import pytest
from django.db import transaction

from pgschemas.availability import schema_exists
from pgschemas.signals import schema_created
from shared_app.models import Client
from tenant_app.models import Project

pytestmark = pytest.mark.django_db


def test_a_new_workspace_starts_with_the_welcome_projects_in_its_own_schema(settings, acme):
    settings.WORKSPACE_WELCOME_PROJECTS = ["Getting started"]

    initech = Client.objects.create(schema_name="initech", name="Initech")

    with initech:
        assert list(Project.objects.values_list("name", flat=True)) == ["Getting started"]
    with acme:
        assert not Project.objects.filter(name="Getting started").exists()


def test_a_failing_receiver_leaves_no_tenant_and_no_schema(settings):
    def fail(**kwargs: object) -> None:
        raise RuntimeError("seeding failed")

    schema_created.connect(fail, dispatch_uid="test_failing_seed")
    try:
        with pytest.raises(RuntimeError, match="seeding failed"), transaction.atomic():
            Client.objects.create(schema_name="initech", name="Initech")
    finally:
        schema_created.disconnect(dispatch_uid="test_failing_seed")

    assert not Client.objects.filter(schema_name="initech").exists()
    assert not schema_exists("initech")

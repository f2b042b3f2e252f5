"""A new workspace's first data, made once its schema exists and is migrated.

``pgschemas.signals.schema_created`` is sent in the new schema, inside the workspace's creation
transaction, whoever creates it (sign-up, the operator admin, ``createtenants``, ``createdemo``):
add your own seeding here.
"""

from typing import Any

from django.conf import settings

from .models import Project


def seed_workspace(sender: type, tenant: object, **kwargs: Any) -> None:
    Project.objects.bulk_create(Project(name=name) for name in settings.WORKSPACE_WELCOME_PROJECTS)

"""Models whose table is missing from the active schema yield no rows to Django's own lookups.

Django's deletion collector (and related-object access) goes through each model's base manager,
whatever schema is active. So deleting a user on www would look for the invitations that only
customers' schemas have, and fail on a missing table. The base manager of every model whose app
is not in every schema returns no rows where its table does not exist; ordinary queries through
``objects`` still fail loudly there.
"""

from typing import Any

from django.apps import apps
from django.db import models

from .config import app_labels, get_tenants_config
from .schema import get_active_schema


class ReachableManager(models.Manager):
    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        return queryset if is_reachable(self.model) else queryset.none()


def is_reachable(model: type[models.Model]) -> bool:
    """Whether the model's table is on the active schema's search path (its own or public)."""
    label = model._meta.app_label
    return label in app_labels(get_active_schema().tenant_apps) or label in app_labels(
        get_tenants_config().public_apps
    )


def install() -> None:
    """Make ``ReachableManager`` the base manager of every model of an app some schema lacks."""
    config = get_tenants_config()
    schemas = [config.public_apps, config.default_apps, *(s.apps for s in config.static.values())]
    everywhere = frozenset.intersection(*(app_labels(apps_) for apps_ in schemas))
    public = app_labels(config.public_apps)
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in everywhere or model._meta.app_label in public:
            continue
        manager: ReachableManager = ReachableManager()
        manager.name = "_base_manager"
        manager.model = model
        manager.auto_created = True
        model._meta.__dict__["base_manager"] = manager  # Options.base_manager is a cached_property

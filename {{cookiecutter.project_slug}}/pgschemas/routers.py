from functools import cache
from typing import Any

from django.apps import apps
from django.db import connections

from .postgresql_backend.base import DatabaseWrapper
from .schema import get_active_schema


class SyncRouter:
    """Migrate an app only into the schemas whose ``APPS`` list it."""

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if not isinstance(connections[db], DatabaseWrapper):
            return None
        return app_label in app_labels(get_active_schema().tenant_apps)


@cache
def app_labels(app_entries: tuple[str, ...]) -> frozenset[str]:
    """Labels of the installed apps named in an APPS list (module paths or AppConfig paths)."""
    wanted = set(app_entries)
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name in wanted or f"{type(config).__module__}.{type(config).__name__}" in wanted
    )

from typing import Any

from django.db import connections

from .config import app_labels
from .permissions import are_permissions_current
from .postgresql_backend.base import DatabaseWrapper
from .schema import get_active_schema


class SyncRouter:
    """Migrate an app only into the schemas whose ``APPS`` list it (and auth's permissions not
    where they are known to be complete: permissions.py)."""

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if not isinstance(connections[db], DatabaseWrapper):
            return None
        if (app_label, model_name) == ("auth", "permission") and are_permissions_current():
            return False
        return app_label in app_labels(get_active_schema().tenant_apps)

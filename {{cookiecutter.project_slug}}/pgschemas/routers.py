from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections

from .config import app_labels
from .postgresql_backend.base import DatabaseWrapper
from .schema import get_active_schema

_permissions_current: ContextVar[bool] = ContextVar("pgschemas_permissions_current", default=False)


class SyncRouter:
    """Migrate an app only into the schemas whose ``APPS`` list it."""

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if not isinstance(connections[db], DatabaseWrapper):
            return None
        if (app_label, model_name) == ("auth", "permission") and _permissions_current.get():
            return False
        return app_label in app_labels(get_active_schema().tenant_apps)


@contextmanager
def permissions_current() -> Iterator[None]:
    """Within: the active schema's permission rows are known to be complete, so auth's
    ``create_permissions`` (a query per app on every ``post_migrate``) has nothing to do there.

    The fleet migrator says so when the migrations it applied changed no model and no model's
    permissions: applying one field to 10,000 schemas would otherwise cost 10,000 times a query
    per app (most of the time of such a migration). Only auth's Permission is concerned; every
    other ``post_migrate`` receiver runs as under ``migrate``.
    """
    token = _permissions_current.set(True)
    try:
        yield
    finally:
        _permissions_current.reset(token)

from typing import Any

from django.db.backends.postgresql import base

from ..config import PUBLIC
from ..names import quote_schema_name
from ..schema import get_active_schema
from .introspection import DatabaseIntrospection


def search_path_for(schema_name: str) -> str:
    if schema_name == PUBLIC:
        return PUBLIC
    return f"{quote_schema_name(schema_name)}, {PUBLIC}"


class DatabaseWrapper(base.DatabaseWrapper):
    """Sets ``search_path`` only when the active schema differs from what the session has.

    ``_search_path`` mirrors the server's session setting; it is forgotten whenever the server
    may have changed it behind our back: a new connection, a rollback (PostgreSQL undoes a SET
    made in the rolled-back transaction) and a savepoint rollback.
    """

    introspection_class = DatabaseIntrospection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._search_path: str | None = None

    def init_connection_state(self) -> None:
        self._search_path = None
        super().init_connection_state()

    def create_cursor(self, name: str | None = None) -> Any:
        wanted = search_path_for(get_active_schema().schema_name)
        if wanted != self._search_path:
            # Through the wrapped cursor, so that the SET shows in connection.queries.
            with self._prepare_cursor(super().create_cursor()) as cursor:
                cursor.execute(f"SET search_path = {wanted}")
            self._search_path = wanted
        return super().create_cursor(name)

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._search_path = None

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self._search_path = None

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._search_path = None

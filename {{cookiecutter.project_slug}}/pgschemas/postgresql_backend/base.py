"""Django's PostgreSQL backend, aware of the active schema.

Use it as ``DATABASES["default"]["ENGINE"] = "pgschemas.postgresql_backend"``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

from ..app_settings import session_search_path
from ..config import PUBLIC
from ..names import quote_schema_name
from ..schema import get_active_schema, in_active_schema
from .cursor import SchemaCursor, schema_cursor_class
from .introspection import DatabaseIntrospection
from .operations import DatabaseOperations
from .pooling import lone_statement_refused, reaches_server_directly, session_form_refused
from .schema_editor import DatabaseSchemaEditor


def search_path_for(schema_name: str) -> str:
    if schema_name == PUBLIC:
        return PUBLIC
    return f"{quote_schema_name(schema_name)}, {PUBLIC}"


class DatabaseWrapper(base.DatabaseWrapper):
    """Every statement runs on the active schema's search path, with no extra round trip.

    The path travels with the statement that needs it (see ``SchemaCursor``). By default each
    transaction gets ``SET LOCAL`` with its first statement (in autocommit, every statement),
    so it is right whichever server connection a pooler runs it on; ``_search_path`` then
    lasts until the transaction ends. With ``PGSCHEMAS_SESSION_SEARCH_PATH`` (direct
    connections only) ``_search_path`` mirrors the server session's setting and a SET is sent
    only when the active schema differs; the mirror is forgotten whenever the server may have
    changed it behind our back: a new connection, a rollback (PostgreSQL undoes a SET made in
    the rolled-back transaction), a savepoint rollback, a failed statement.
    """

    SchemaEditorClass = DatabaseSchemaEditor
    introspection_class = DatabaseIntrospection
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._search_path: str | None = None
        self._direct: bool | None = None  # whether this connection reaches PostgreSQL directly
        self._in_savepoint_statement = False
        # What other modules learned of the database through this connection (e.g. that it has
        # a table): forgotten with the connection, which may next reach another database.
        self.facts: dict[str, object] = {}

    def create_cursor(self, name: str | None = None) -> Any:
        if name is not None:  # server-side: psycopg2 wraps the query in DECLARE, no prefix
            self.send_search_path_alone()
            return super().create_cursor(name)
        cursor_class = schema_cursor_class(self.connection.cursor_factory)
        cursor: SchemaCursor = self.connection.cursor(cursor_factory=cursor_class)
        cursor.database = self
        cursor.tzinfo_factory = self.tzinfo_factory if settings.USE_TZ else None  # as Django's
        return cursor

    def init_connection_state(self) -> None:
        self._search_path = None
        self._direct = None
        self.facts.clear()
        if session_search_path() and not self.reaches_server_directly():
            self.close()  # never leave this connection for the next query to use
            raise session_form_refused(self.alias)
        super().init_connection_state()

    def reaches_server_directly(self) -> bool:
        if self._direct is None:
            self._direct = reaches_server_directly(self.connection)
        return self._direct

    def search_path_setting(self, *, alone: bool = False) -> str | None:
        """The SET the next statement needs, or None when the server already has the path.

        ``alone``: sent on its own, where a SET LOCAL outside a transaction would end at once.
        """
        if self._in_savepoint_statement:
            return None  # they do not read tables; and ROLLBACK TO must run in an aborted one
        wanted = search_path_for(get_active_schema().schema_name)
        if wanted == self._search_path:
            return None
        if session_search_path() or (alone and self.connection.autocommit):
            return f"SET search_path = {wanted}"
        return f"SET LOCAL search_path = {wanted}"

    def search_path_sent(self) -> None:
        if self.connection.autocommit and not session_search_path():
            self._search_path = None  # SET LOCAL ended with the statement's own transaction
        else:
            self._search_path = search_path_for(get_active_schema().schema_name)

    def forget_search_path(self) -> None:
        self._search_path = None

    def send_search_path_alone(self) -> None:
        """For statements that cannot carry the SET in front of them."""
        setting = self.search_path_setting(alone=True)
        if setting is None:
            return
        if self.connection.autocommit and not self.reaches_server_directly():
            raise lone_statement_refused()  # a pooler may run the statement on another session
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(setting)
        except BaseException:
            self.forget_search_path()
            raise
        self.search_path_sent()

    @contextmanager
    def _savepoint_statement(self) -> Iterator[None]:
        self._in_savepoint_statement = True
        try:
            yield
        finally:
            self._in_savepoint_statement = False

    def _savepoint(self, sid: str) -> None:
        with self._savepoint_statement():
            super()._savepoint(sid)

    def _savepoint_commit(self, sid: str) -> None:
        with self._savepoint_statement():
            super()._savepoint_commit(sid)

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            with self._savepoint_statement():
                super()._savepoint_rollback(sid)
        finally:
            self._search_path = None

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            if not session_search_path():
                self._search_path = None

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._search_path = None

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._search_path = None
            self.facts.clear()

    def on_commit(self, func: Any, robust: bool = False) -> None:
        """Callbacks run in the schema that was active when they were registered."""
        super().on_commit(in_active_schema(func) if callable(func) else func, robust)

"""Django's PostgreSQL backend, aware of the active schema.

Use it as ``DATABASES["default"]["ENGINE"] = "pgschemas.postgresql_backend"``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

from ..app_settings import transaction_pooling
from ..config import PUBLIC
from ..names import quote_schema_name
from ..schema import get_active_schema, in_active_schema
from .cursor import SchemaCursor, schema_cursor_class
from .introspection import DatabaseIntrospection
from .operations import DatabaseOperations
from .pooling import TransactionPoolerError, refuse_transaction_pooler
from .schema_editor import DatabaseSchemaEditor


def search_path_for(schema_name: str) -> str:
    if schema_name == PUBLIC:
        return PUBLIC
    return f"{quote_schema_name(schema_name)}, {PUBLIC}"


class DatabaseWrapper(base.DatabaseWrapper):
    """Every statement runs on the active schema's search path, with no extra round trip.

    The path travels with the statement that needs it (see ``SchemaCursor``). In session mode
    ``_search_path`` mirrors the server session's setting and a SET is sent only when the
    active schema differs; the mirror is forgotten whenever the server may have changed it
    behind our back: a new connection, a rollback (PostgreSQL undoes a SET made in the
    rolled-back transaction), a savepoint rollback, a failed statement. With transaction
    pooling each transaction gets ``SET LOCAL``, as the next one may run on another server
    connection; ``_search_path`` then lasts until the transaction ends.
    """

    SchemaEditorClass = DatabaseSchemaEditor
    introspection_class = DatabaseIntrospection
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._search_path: str | None = None
        self._in_savepoint_statement = False

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
        if not transaction_pooling():
            try:
                refuse_transaction_pooler(self)
            except TransactionPoolerError:
                self.close()  # never leave this connection for the next query to use
                raise
        super().init_connection_state()

    def search_path_setting(self) -> str | None:
        """The SET the next statement needs, or None when the server already has the path."""
        if self._in_savepoint_statement:
            return None  # they do not read tables; and ROLLBACK TO must run in an aborted one
        wanted = search_path_for(get_active_schema().schema_name)
        if wanted == self._search_path:
            return None
        if transaction_pooling():
            return f"SET LOCAL search_path = {wanted}"
        return f"SET search_path = {wanted}"

    def search_path_sent(self) -> None:
        if transaction_pooling() and self.connection.autocommit:
            self._search_path = None  # SET LOCAL ended with the statement's own transaction
        else:
            self._search_path = search_path_for(get_active_schema().schema_name)

    def forget_search_path(self) -> None:
        self._search_path = None

    def send_search_path_alone(self) -> None:
        """For statements that cannot carry the SET in front of them."""
        setting = self.search_path_setting()
        if setting is None:
            return
        if transaction_pooling() and self.connection.autocommit:
            raise TransactionPoolerError(
                "This statement cannot carry the search path through a transaction pooler "
                "outside a transaction (a server-side cursor, callproc, COPY, or a statement "
                "such as CREATE INDEX CONCURRENTLY). Set DISABLE_SERVER_SIDE_CURSORS = True in "
                "DATABASES, wrap it in transaction.atomic(), or run it straight against "
                "PostgreSQL (migrations)."
            )
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
            if transaction_pooling():
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

    def on_commit(self, func: Any, robust: bool = False) -> None:
        """Callbacks run in the schema that was active when they were registered."""
        super().on_commit(in_active_schema(func) if callable(func) else func, robust)

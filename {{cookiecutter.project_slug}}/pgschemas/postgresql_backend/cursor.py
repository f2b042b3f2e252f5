"""A psycopg2 cursor that sends the search path in the same round trip as the statement."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg2
from psycopg2 import sql

if TYPE_CHECKING:
    from .base import DatabaseWrapper


class SchemaCursor(psycopg2.extensions.cursor):
    """Prefixes ``SET search_path = ...;`` to a statement when the server needs to be told.

    psycopg2 merges parameters on the client and sends both as one simple query, so the path
    costs no round trip; the server runs them as one transaction, so a failed statement takes
    its SET with it. Server-side cursors, ``callproc`` and ``COPY`` get the SET on its own.
    """

    database: "DatabaseWrapper"

    def execute(self, query: Any, vars: Any = None) -> None:
        if self.name is not None:  # psycopg2 wraps the query in DECLARE: no prefix possible
            self._set_path_alone()
            return super().execute(query, vars)
        return self._with_path(super().execute, query, vars)

    def executemany(self, query: Any, vars_list: Any) -> None:
        # psycopg2 runs the query once per parameter set: each one carries the path.
        return self._with_path(super().executemany, query, vars_list)

    def callproc(self, procname: Any, parameters: Any = None) -> Any:
        self._set_path_alone()
        return super().callproc(procname, parameters)

    def copy_expert(self, *args: Any, **kwargs: Any) -> None:
        self._set_path_alone()
        return super().copy_expert(*args, **kwargs)

    def _with_path(self, run: Callable[[Any, Any], None], query: Any, vars: Any) -> None:
        setting = self.database.search_path_setting()
        if setting is None:
            return run(query, vars)
        try:
            run(prefixed(setting, query), vars)
        except psycopg2.errors.ActiveSqlTransaction:
            # CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE... refuse to share a query
            # string (an implicit transaction); in autocommit nothing was run, so run it alone.
            self.database.forget_search_path()
            if not self.connection.autocommit:
                raise
            self._set_path_alone()
            return run(query, vars)
        except BaseException:
            self.database.forget_search_path()  # e.g. interrupted: did the server run the SET?
            raise
        self.database.search_path_sent()

    def _set_path_alone(self) -> None:
        setting = self.database.search_path_setting()
        if setting is None:
            return
        try:
            with psycopg2.extensions.cursor(self.connection) as cursor:
                cursor.execute(setting)
        except BaseException:
            self.database.forget_search_path()
            raise
        self.database.search_path_sent()


def prefixed(setting: str, query: Any) -> Any:
    if isinstance(query, sql.Composable):
        return sql.Composed([sql.SQL(setting + "; "), query])
    if isinstance(query, bytes):
        return setting.encode() + b"; " + query
    return f"{setting}; {query}"

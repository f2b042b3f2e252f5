"""A psycopg2 cursor that sends the search path in the same round trip as the statement."""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import psycopg2
from psycopg2 import sql

if TYPE_CHECKING:
    from .base import DatabaseWrapper


class SchemaCursor(psycopg2.extensions.cursor):
    """Prefixes ``SET search_path = ...;`` to a statement when the server needs to be told.

    psycopg2 merges parameters on the client and sends both as one simple query, so the path
    costs no round trip; the server runs them as one transaction, so a failed statement takes
    its SET with it. ``callproc`` and ``COPY`` get the SET on its own.
    """

    database: "DatabaseWrapper"
    # Length of the SET sent in front of the last statement, for last_executed_query.
    path_prefix_length = 0

    def execute(self, query: Any, vars: Any = None) -> None:
        return self._with_path(super().execute, query, vars)

    def executemany(self, query: Any, vars_list: Any) -> None:
        # psycopg2 runs the query once per parameter set: each one carries the path.
        return self._with_path(super().executemany, query, vars_list)

    def callproc(self, procname: Any, parameters: Any = None) -> Any:
        self.database.send_search_path_alone()
        return super().callproc(procname, parameters)

    def copy_expert(self, *args: Any, **kwargs: Any) -> None:
        self.database.send_search_path_alone()
        return super().copy_expert(*args, **kwargs)

    def _with_path(self, run: Callable[[Any, Any], None], query: Any, vars: Any) -> None:
        setting = self.database.search_path_setting()
        self.path_prefix_length = 0
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
            self.database.send_search_path_alone()
            return run(query, vars)
        except BaseException:
            self.database.forget_search_path()  # e.g. interrupted: did the server run the SET?
            raise
        self.path_prefix_length = len(prefixed(setting, ""))
        self.database.search_path_sent()


@cache
def schema_cursor_class(base: type[psycopg2.extensions.cursor]) -> type[SchemaCursor]:
    """SchemaCursor on top of the connection's cursor class (OPTIONS["cursor_factory"])."""
    if issubclass(base, SchemaCursor) or base is psycopg2.extensions.cursor:
        return SchemaCursor
    return type(f"Schema{base.__name__}", (SchemaCursor, base), {})


def prefixed(setting: str, query: Any) -> Any:
    if isinstance(query, sql.Composable):
        return sql.Composed([sql.SQL(setting + "; "), query])
    if isinstance(query, bytes):
        return setting.encode() + b"; " + query
    return f"{setting}; {query}"

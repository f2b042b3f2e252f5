"""Whether a connection reaches PostgreSQL directly, for what relies on the server session.

The search path is set in every transaction by default, which is right behind any pooler. Two
things rely on the server session instead, and are allowed only on a direct connection: the
session form (``PGSCHEMAS_SESSION_SEARCH_PATH``), and, outside a transaction, a statement that
cannot carry the path in front of it. Behind a transaction pooler the next statement may run on
a server connection that another client left in another schema.

A connection is direct when the server process running its queries is the one that answered it
(the process id announced at start-up). A pooler announces its own (PgBouncer: a random one, in
either pool mode), whoever else uses it, so no other client can make this check pass or fail;
nothing is remembered beyond the connection checked.
"""

from typing import Any

import psycopg2
from django.core.exceptions import ImproperlyConfigured


class PoolerError(ImproperlyConfigured):
    pass


def reaches_server_directly(connection: Any) -> bool:
    """Whether the psycopg2 ``connection`` talks straight to the PostgreSQL process it runs on."""
    with psycopg2.extensions.cursor(connection) as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0] == connection.get_backend_pid()


def session_form_refused(alias: str) -> PoolerError:
    return PoolerError(
        f"PGSCHEMAS_SESSION_SEARCH_PATH is on but the database {alias!r} is reached through a "
        "connection pooler: a session's search_path could leak between tenants. The session "
        "form needs a direct connection to PostgreSQL; behind a pooler leave "
        "PGSCHEMAS_SESSION_SEARCH_PATH off (the default sets the path in every transaction)."
    )


def lone_statement_refused() -> PoolerError:
    return PoolerError(
        "This statement cannot carry the search path through a connection pooler outside a "
        "transaction (a server-side cursor, callproc, COPY, or a statement such as CREATE INDEX "
        "CONCURRENTLY). Set DISABLE_SERVER_SIDE_CURSORS = True in DATABASES, wrap it in "
        "transaction.atomic(), or run it straight against PostgreSQL (migrations)."
    )

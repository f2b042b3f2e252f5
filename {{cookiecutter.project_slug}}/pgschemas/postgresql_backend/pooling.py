"""Refuse to run behind a transaction pooler unless ``PGSCHEMAS_TRANSACTION_POOLING`` says so.

A session-level ``SET search_path`` does not survive the end of a transaction there: the next
one may run on a server connection that another client left on another tenant's schema.
"""

from typing import Any

import psycopg2
from django.core.exceptions import ImproperlyConfigured

_checked: set[str] = set()  # database aliases already checked in this process


class TransactionPoolerError(ImproperlyConfigured):
    pass


def refuse_transaction_pooler(database: Any) -> None:
    """Raise TransactionPoolerError on the first connection of this process behind such a pooler."""
    if database.alias in _checked:
        return
    if shares_server_sessions(database):
        raise TransactionPoolerError(
            f"The database {database.alias!r} is reached through a transaction pooler (such as "
            "PgBouncer with pool_mode = transaction): a session's search_path would leak "
            "between tenants. Set PGSCHEMAS_TRANSACTION_POOLING = True (environment variable "
            "PGSCHEMAS_TRANSACTION_POOLING=true), or use pool_mode = session."
        )
    _checked.add(database.alias)


def _server_pid(connection: Any) -> int:
    with psycopg2.extensions.cursor(connection) as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def shares_server_sessions(database: Any) -> bool:
    """Whether two client connections of ``database`` can run on one server session.

    Straight to PostgreSQL, the process id the server announced at connection time is the one
    running our queries; a pooler announces its own. Then a second client connection queries
    right after the first one: a transaction pooler hands it the server connection the first
    one just released, while a session pooler keeps that one for its client.
    """
    first = database.connection
    if not first.autocommit or _server_pid(first) == first.get_backend_pid():
        return False
    second = database.get_new_connection(database.get_connection_params())
    try:
        second.autocommit = True
        first_pid = _server_pid(first)  # a transaction pooler releases that server connection
        return _server_pid(second) == first_pid
    finally:
        second.close()

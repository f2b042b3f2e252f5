"""Spare schemas: migrated ahead of time, so that a new tenant gets one by renaming it.

A spare is an ordinary dynamic-tenant schema named ``_spare_<time><random>``: ``migrateschema``
keeps spares current like any tenant, and ``ALTER SCHEMA ... RENAME`` turns one into a tenant's
schema in the tenant's own transaction (a catalog update: rolled back with the tenant if anything
fails). ``refill_spare_schemas()`` tops the pool up to ``PGSCHEMAS_SPARE_SCHEMAS``; creating a
tenant starts it in a thread after commit, and ``manage.py refillspares`` or a task runner can
call it too. With no spare left, a tenant's schema is created and migrated as before.
"""

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction

from .. import app_settings
from ..names import SPARE_PREFIX, quote_schema_name
from ..schema import NamedSchema, Schema
from .migrations_state import schemas_behind
from .plans import expected_migrations
from .provisioning import create_and_migrate_schema

logger = logging.getLogger(__name__)

# Names from "_spare_" up to (not including) "_spare`": a range scan of pg_namespace's index on
# nspname, however many tenant schemas there are.
SPARES_BY_NAME = "pg_catalog.pg_namespace WHERE nspname >= %s AND nspname < %s"
SPARE_NAME_RANGE = [SPARE_PREFIX, SPARE_PREFIX[:-1] + chr(ord(SPARE_PREFIX[-1]) + 1)]
# Advisory lock keys (two int4): claiming one spare, and refilling the pool.
LOCK_CLASS = 0x70677363  # "pgsc"
REFILL_LOCK = (LOCK_CLASS + 1, 0)
SPARES_PER_PAGE = 20


def spare_schema_names() -> list[str]:
    """Oldest first (a spare's name starts with the time it was named)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nspname FROM {SPARES_BY_NAME} ORDER BY nspname", SPARE_NAME_RANGE)
        return [name for (name,) in cursor.fetchall()]


def spare_schemas() -> list[Schema]:
    return [NamedSchema(name, dynamic=True) for name in spare_schema_names()]


def claim_spare_schema(schema_name: str) -> bool:
    """Rename an up-to-date spare to ``schema_name`` in the current transaction.

    False when there is none (or every one is being claimed by someone else right now).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("claim_spare_schema() must run inside transaction.atomic().")
    expected = expected_migrations()
    with connection.cursor() as cursor:
        for oid, spare in _spares_oldest_first(cursor):
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, oid])
            if not cursor.fetchone()[0] or schemas_behind([spare], expected):
                continue
            try:
                with transaction.atomic():  # a savepoint: someone may have taken it meanwhile
                    cursor.execute(
                        f"ALTER SCHEMA {quote_schema_name(spare)} "
                        f"RENAME TO {quote_schema_name(schema_name)}"
                    )
            except DatabaseError:
                continue
            return True
    return False


def _spares_oldest_first(cursor: Any) -> Iterator[tuple[int, str]]:
    """(oid, name) of each spare, read a page at a time along pg_namespace's index on names:
    ``createtenants`` makes thousands of spares, and each tenant usually takes the first one."""
    after = SPARE_PREFIX
    while True:
        cursor.execute(
            f"SELECT oid::int4, nspname FROM {SPARES_BY_NAME} AND nspname > %s "
            "ORDER BY nspname LIMIT %s",
            [*SPARE_NAME_RANGE, after, SPARES_PER_PAGE],
        )
        page = cursor.fetchall()
        yield from page
        if len(page) < SPARES_PER_PAGE:
            return
        after = page[-1][1]


def refill_spare_schemas(count: int | None = None) -> int:
    """Create spares until there are ``count`` (default ``PGSCHEMAS_SPARE_SCHEMAS``).

    Returns how many it created; 0 when another process is refilling. Each spare is created and
    migrated in its own transaction: in the caller's, as savepoints, when there is one;
    otherwise committed one by one, ``PGSCHEMAS_SPARE_REFILL_THREADS`` at a time (each thread on
    its own connection), as making a schema is mostly the database's work. Safe to call from any
    process, any time.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", REFILL_LOCK)
        if not cursor.fetchone()[0]:
            return 0
        try:
            missing = missing_spares(count)
            threads = 1 if connection.in_atomic_block else app_settings.spare_refill_threads()
            create_spares(missing, threads=min(missing, threads))
            return missing
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", REFILL_LOCK)


def missing_spares(count: int | None = None) -> int:
    """How many spares short of ``count`` (default ``PGSCHEMAS_SPARE_SCHEMAS``) the pool is."""
    wanted = app_settings.spare_schemas() if count is None else count
    return max(wanted - len(spare_schema_names()), 0)


def create_spares(count: int, *, threads: int) -> None:
    """Create and migrate ``count`` spares, on ``threads`` connections at once."""
    if threads <= 1:
        for _ in range(count):
            create_and_migrate_schema(new_spare_name())
        return
    left = iter(range(count))
    taking = threading.Lock()
    errors: list[BaseException] = []

    def make_spares() -> None:
        try:
            while not errors:
                with taking:
                    if next(left, None) is None:
                        return
                create_and_migrate_schema(new_spare_name())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=make_spares, name="pgschemas-spare") for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def new_spare_name() -> str:
    """``_spare_`` + the time in hex + a random part: names sort oldest first."""
    return f"{SPARE_PREFIX}{time.time_ns():016x}{secrets.token_hex(4)}"


def refill_in_background() -> None:
    """Refill the pool in a thread with its own database connection.

    Not a daemon thread: a process that ends (a command, a web worker) finishes the spare it is
    making rather than dropping its connection mid-transaction.
    """
    if app_settings.spare_schemas() > 0:
        threading.Thread(target=_refill_then_close, name="pgschemas-refill").start()


def _refill_then_close() -> None:
    try:
        refill_spare_schemas()
    except Exception:  # nobody waits for this thread: say why the pool stays short
        logger.exception("Refilling the spare schemas failed; new tenants are migrated instead.")
    finally:
        connection.close()

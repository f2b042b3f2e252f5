"""One batch of ``migrateschema``: several tenant schemas in one transaction, each in a
savepoint of its own, on a server process that is renewed now and then."""

from dataclasses import dataclass
from typing import cast

from django.db import connection, transaction

from ..schema import NamedSchema
from .batching import batched_ddl
from .migrations_state import histories
from .plans import History
from .provisioning import create_and_migrate_schema

SCHEMA_SAVEPOINT = "pgschemas_schema"  # one at a time, released before the next
# A server process slows down as its catalog caches fill with the tables of every schema that it
# touched (one connection altering a table in 3,000 schemas: 0.8 ms per schema at first, 1.75 ms
# after 3,000; with a new connection every 250, 0.8 ms throughout): a batch that brings the
# schemas migrated on its connection to this many closes it, and the next one opens a new one.
SCHEMAS_PER_CONNECTION = 250
MIGRATED_ON_CONNECTION = "schemas migrated on this connection"  # a key of connection.facts


@dataclass(frozen=True)
class Outcome:
    schema_name: str
    applied: int = 0
    error: str | None = None


def migrate_in_savepoint(name: str, history: History) -> Outcome:
    """Create (if missing) and migrate one tenant or spare schema in a savepoint of the caller's
    transaction: all or nothing.

    The savepoint and its release wait with the schema's DDL (``batched_ddl``): a migration that
    only sends DDL costs the schema one round trip. On an error, what reached the server is
    rolled back to the savepoint, and Django is told that the transaction is usable again.
    """
    batch = None
    try:
        # The schema stays active until the batch is sent: its statements name its tables alone.
        with NamedSchema(name, dynamic=True), batched_ddl() as batch:
            batch(f"SAVEPOINT {SCHEMA_SAVEPOINT}")
            applied = create_and_migrate_schema(name, history, savepoint=False)
            batch(f"RELEASE SAVEPOINT {SCHEMA_SAVEPOINT}")
    except Exception as error:
        transaction.set_rollback(False)  # as Django's atomic() does before its rollback
        if batch is not None and batch.sent:
            transaction.savepoint_rollback(SCHEMA_SAVEPOINT)
            transaction.savepoint_commit(SCHEMA_SAVEPOINT)  # released: none left open
        return Outcome(name, error=describe(error))
    return Outcome(name, applied=applied)


def migrate_dynamic_batch(names: list[str], *, fail_fast: bool) -> list[Outcome]:
    """Create (if missing) and migrate these schemas in one transaction, each in a savepoint of
    its own (``migrate_in_savepoint``): a schema that fails is rolled back alone and the next
    one goes on, unless ``fail_fast``. Nothing of the batch is committed before its end."""
    outcomes: list[Outcome] = []
    try:
        with transaction.atomic():
            found = histories(names)  # read once for the batch, in its transaction
            for name in names:
                outcomes.append(migrate_in_savepoint(name, found.get(name, History(False))))
                if fail_fast and outcomes[-1].error is not None:
                    break
    except Exception as error:  # the commit itself: none of the batch was kept
        failed = f"the batch's commit failed: {describe(error)}"
        return [Outcome(outcome.schema_name, error=outcome.error or failed) for outcome in outcomes]
    _renew_connection_now_and_then(len(names))
    return outcomes


def _renew_connection_now_and_then(migrated: int) -> None:
    """Close the connection once ``SCHEMAS_PER_CONNECTION`` schemas were migrated on it (not
    inside a caller's transaction, which needs it)."""
    if connection.in_atomic_block:
        return
    facts: dict[str, object] = connection.facts  # type: ignore[attr-defined]
    total = cast(int, facts.get(MIGRATED_ON_CONNECTION, 0)) + migrated
    if total >= SCHEMAS_PER_CONNECTION:
        connection.close()  # its facts go with it
    else:
        facts[MIGRATED_ON_CONNECTION] = total


def describe(error: BaseException) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")

"""Statements that return nothing, sent to the server together with the next one that does.

A migration of a tenant schema is mostly DDL, which returns nothing: sent one by one, each is a
round trip. ``batched_ddl`` holds them back until a statement that returns something (a read)
or the end, then sends them in one string, in the same order.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

from ..app_settings import citus_enabled

DDL = ("CREATE ", "ALTER ", "DROP ", "COMMENT ")


class Batch:
    """Statements that return nothing, waiting to go to the server with the next one that does.

    Call it with such a statement (an INSERT, a SAVEPOINT) to send it with the DDL. ``sent``:
    whether anything went to the server since the batch began, even in a string that failed (the
    server runs a string from its first statement on).
    """

    def __init__(self, *, wait: bool) -> None:
        self.wait = wait
        self.waiting: list[str] = []
        self.sent = False

    def __call__(self, sql: str) -> None:
        if self.wait:
            self.waiting.append(sql)
            return
        self.sent = True
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def flush(self, execute: Callable[..., Any], context: dict[str, Any]) -> None:
        if self.waiting:
            statements = ";\n".join(self.waiting)
            self.waiting.clear()
            self.sent = True
            execute(statements, None, False, context)


_open_batch: ContextVar[Batch | None] = ContextVar("pgschemas_open_batch", default=None)


@contextmanager
def batched_ddl() -> Iterator[Batch]:
    """Send consecutive DDL statements to the server together, in one round trip, with the
    statements given to the batch; within an open batch, that batch.

    The same statements in the same order: a DDL statement returns nothing, so it can wait
    until the next statement that does (an introspection query, a read) or the end. On an
    error nothing more is sent. Not on Citus, which sends DDL on to the workers as prepared
    statements: one command each.
    """
    batch = _open_batch.get()
    if batch is not None:
        yield batch
        return
    batch = Batch(wait=not citus_enabled())
    if not batch.wait:
        yield batch
        return

    def wait_or_send(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        if params is None and not many and str(sql).lstrip().upper().startswith(DDL):
            batch.waiting.append(str(sql))
            return None
        batch.flush(execute, context)
        batch.sent = True
        return execute(sql, params, many, context)

    token = _open_batch.set(batch)
    try:
        with connection.execute_wrapper(wait_or_send):
            yield batch
    finally:
        _open_batch.reset(token)
    with connection.cursor() as cursor:  # what came last, unwrapped
        batch.flush(lambda sql, *_: cursor.execute(sql), {})

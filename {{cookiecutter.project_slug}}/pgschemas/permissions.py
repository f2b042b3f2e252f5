"""Whether the active schema's auth permissions are known to be complete (``permissions_current``).

Within ``permissions_current()``, the router keeps auth's ``create_permissions`` (a query per app
on every ``post_migrate``) out of the active schema. The fleet migrator says so when the
migrations it applied changed no model and no model's permissions: applying one field to 10,000
schemas would otherwise cost 10,000 times a query per app (most of the time of such a
migration). Only auth's Permission is concerned; every other ``post_migrate`` receiver runs as
under ``migrate``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[bool] = ContextVar("pgschemas_permissions_current", default=False)


@contextmanager
def permissions_current() -> Iterator[None]:
    token = _current.set(True)
    try:
        yield
    finally:
        _current.reset(token)


def are_permissions_current() -> bool:
    return _current.get()

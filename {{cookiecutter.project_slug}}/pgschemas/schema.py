"""The active schema: a context variable, so threads and async tasks each have their own."""

from collections.abc import Callable
from contextvars import ContextVar, Token
from functools import wraps
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

from .config import PUBLIC, get_tenants_config

P = ParamSpec("P")
R = TypeVar("R")


class Schema:
    """Something that names a PostgreSQL schema and can be activated with ``with``."""

    schema_name: str
    is_dynamic: bool = False
    status: str  # lifecycle state (pgschemas.states): a tenant's column; always active otherwise

    @property
    def urlconf(self) -> str | None:
        config = get_tenants_config()
        if self.is_dynamic:
            return config.default_urlconf
        if self.schema_name == PUBLIC:
            return None
        return config.static[self.schema_name].urlconf

    @property
    def tenant_apps(self) -> tuple[str, ...]:
        return get_tenants_config().apps_of(self.schema_name, dynamic=self.is_dynamic)

    def __enter__(self) -> Self:
        _entered.set((*_entered.get(), activate(self)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        *outer, token = _entered.get()
        _entered.set(tuple(outer))
        deactivate(token)


class StaticSchema(Schema):
    """The public schema or a static tenant from ``settings.TENANTS``."""

    status = "active"

    def __init__(self, schema_name: str) -> None:
        self.schema_name = schema_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticSchema) and other.schema_name == self.schema_name

    def __hash__(self) -> int:
        return hash(self.schema_name)

    def __repr__(self) -> str:
        return f"<StaticSchema {self.schema_name}>"


class NamedSchema(Schema):
    """A schema known only by its name, e.g. in a worker process or a spare schema."""

    status = "active"

    def __init__(self, schema_name: str, *, dynamic: bool) -> None:
        self.schema_name = schema_name
        self.is_dynamic = dynamic

    def __repr__(self) -> str:
        return f"<NamedSchema {self.schema_name}>"


PUBLIC_SCHEMA = StaticSchema(PUBLIC)

_active: ContextVar[Schema] = ContextVar("pgschemas_active_schema", default=PUBLIC_SCHEMA)
# Tokens of the schemas entered with ``with``, innermost last, per thread or task.
_entered: ContextVar[tuple[Token[Schema], ...]] = ContextVar("pgschemas_entered", default=())


def get_active_schema() -> Schema:
    return _active.get()


def activate(schema: Schema) -> Token[Schema]:
    """Make ``schema`` the one queries run in; pass the token to ``deactivate`` to undo."""
    return _active.set(schema)


def deactivate(token: Token[Schema] | None = None) -> None:
    """Undo ``activate(...)`` given its token, or go back to the public schema."""
    if token is None:
        _active.set(PUBLIC_SCHEMA)
    else:
        _active.reset(token)


def in_active_schema(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` bound to the schema active now: it runs there wherever and whenever it is called.

    For work that outlives the current context: a thread, an executor, a callback. For example
    ``executor.submit(in_active_schema(report))`` or ``Thread(target=in_active_schema(job))``.
    """
    schema = get_active_schema()

    @wraps(func)
    def run_in_schema(*args: P.args, **kwargs: P.kwargs) -> R:
        token = activate(schema)
        try:
            return func(*args, **kwargs)
        finally:
            deactivate(token)

    return run_in_schema

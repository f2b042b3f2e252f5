"""Apply migrations to many schemas with the work Django repeats per schema done once.

Django's ``migrate`` loads the migration graph, replays every applied migration into a project
state and renders historical models each time it runs. Every tenant schema has the same apps, so
schemas at the same point of their history need the same plan and the same states: plans.py
computes them once per process (per distinct starting point) and this module, per schema, only runs
the database side of each operation, records the migrations (and stamps the schema, stamps.py)
and sends the migrate signals, as Django's ``migrate`` does, minus auth's permission handler where
it has nothing to create (``permissions.py``). The statements that Django's own
schema operations sent in the first schema of a plan are sent again as they are in the next ones
(in any schema when they read nothing first, else in new, empty ones).
"""

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, cast

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.special import RunPython, SeparateDatabaseAndState
from django.db.migrations.recorder import MigrationRecorder

from ..permissions import permissions_current
from ..postgresql_backend.schema_editor import DatabaseSchemaEditor
from ..schema import Schema
from .batching import DDL, batched_ddl
from .plans import (
    History,
    MigrationKey,
    Plan,
    Sent,
    Step,
    applied_migrations,
    needs_django_migrate,
    plan_from,
)
from .stamps import stamp_sql, stamps_enabled


def migrate_schema(
    schema: Schema, *, new: bool = False, history: History | None = None, savepoint: bool = True
) -> int:
    """Bring one existing schema up to date in one transaction; return how many were applied.

    ``new``: the caller created the schema, empty, in this transaction. ``history``: what the
    caller read of the schema in this transaction (saves reading it again). ``savepoint``: False
    when the caller's transaction or savepoint already holds only this schema's work. A failure
    rolls the whole schema back to where it was.
    """
    with schema, transaction.atomic(savepoint=savepoint):
        if needs_django_migrate():
            before = applied_migrations(schema.schema_name) or frozenset()
            call_command(DjangoMigrateCommand(), interactive=False, verbosity=0, skip_checks=True)
            return len((applied_migrations(schema.schema_name) or frozenset()) - before)
        applied = history.applied if history else applied_migrations(schema.schema_name)
        plan = plan_from(applied or frozenset())
        if not plan.migrations and applied is not None:
            return 0
        fresh = new and applied is None
        with remembered_introspection(plan) if fresh else nullcontext():
            _run(
                plan,
                schema.schema_name,
                applied,
                fresh=fresh,
                stamped=bool(history and history.stamped),
            )
        return len(plan.migrations)


@contextmanager
def remembered_introspection(plan: Plan) -> Iterator[None]:
    """Answer the schema editor's constraint lookups from the first new schema made by ``plan``.

    Django's lookup (``get_constraints``) finds a table by name among every schema's tables, so
    it costs more with every tenant (5-20 ms per lookup at 1,000 tenants). A new, empty
    schema migrated by the same plan holds at each step exactly what the plan made so far, so
    the answers are the same; a lookup not seen before (another order) asks the database.
    """
    introspection = connection.introspection
    ask_database = introspection.get_constraints
    calls = iter(range(10**9))

    def get_constraints(cursor: Any, table_name: str) -> Any:
        key = (next(calls), table_name)
        if key not in plan.introspected:
            plan.introspected[key] = ask_database(cursor, table_name)
        return copy.deepcopy(plan.introspected[key])

    introspection.get_constraints = get_constraints  # type: ignore[method-assign]
    try:
        yield
    finally:
        del introspection.get_constraints


def _run(
    plan: Plan,
    schema_name: str,
    applied: frozenset[MigrationKey] | None,
    *,
    fresh: bool,
    stamped: bool,
) -> None:
    """``migrate``'s work for one schema, inside the caller's transaction.

    That transaction already makes the schema all or nothing, so migrations and operations get
    no savepoints of their own, and the migrations are recorded in one statement at the end.
    ``applied``: what the schema has recorded (None: no ``django_migrations`` yet); ``fresh``:
    the schema was created empty in this transaction; ``stamped``: it had a stamp that counted
    (its trigger is there). Statements that return nothing wait and go together
    (``batched_ddl``): a migration that only sends DDL costs one round trip, its recording and
    the schema's new stamp (stamps.py) included.
    """
    emit_pre_migrate_signal(
        0, False, connection.alias, apps=plan.pre_migrate_apps, plan=_as_signal_plan(plan)
    )
    with batched_ddl() as send_later:
        if applied is None:  # no table yet: what the recorder's ensure_schema() does
            with connection.schema_editor(atomic=False) as editor:
                editor.create_model(MigrationRecorder.Migration)
        for number, steps in enumerate(plan.steps):
            kept = plan.sent.get(number)
            if kept is not None and (fresh or kept.anywhere):
                _send_again(kept.statements)
            else:
                _migrate(plan, number, steps, schema_name, fresh=fresh)
        send_later(_recording_sql(plan.migrations))
        if stamps_enabled():
            held = (applied or frozenset()) | {(m.app_label, m.name) for m in plan.migrations}
            send_later(stamp_sql(schema_name, held, trigger=not stamped))
        # auth's permissions can only be missing where a model or its permissions changed.
        with (
            nullcontext() if plan.changes_permissions or applied is None else permissions_current()
        ):
            emit_post_migrate_signal(
                0, False, connection.alias, apps=plan.post_migrate_apps, plan=_as_signal_plan(plan)
            )


def _recording_sql(migrations: tuple[Migration, ...]) -> str:
    """What the recorder writes for these migrations, as one statement with its values."""
    quote = connection.ops.quote_name
    table = quote(MigrationRecorder.Migration._meta.db_table)
    rows = ", ".join(["(%s, %s, now())"] * len(migrations))
    values = [value for migration in migrations for value in (migration.app_label, migration.name)]
    sql = f"INSERT INTO {table} ({quote('app')}, {quote('name')}, {quote('applied')}) VALUES {rows}"
    return cast(PostgresOperations, connection.ops).compose_sql(sql, values)


def _migrate(
    plan: Plan, number: int, steps: tuple[Step, ...], schema_name: str, *, fresh: bool
) -> None:
    """Run one migration's operations; keep what they sent for the next schema of the plan.

    Django's own schema operations at the same point of a schema's history send the same
    statements every time: generating them again costs a third of the Python time of a new
    schema. Kept only when every operation is one of Django's schema operations (not RunPython,
    not an operation of a library or of the project, which may do anything) and no statement
    names the schema: for any schema of the plan when nothing was read from the database (what
    is sent cannot depend on the schema), else only for new schemas (whose reads
    ``remembered_introspection`` answers alike).
    """
    app_label = plan.migrations[number].app_label
    keep = all(_sends_the_same_every_time(step.operation) for step in steps)
    sent: list[tuple[str, Any]] = []
    reads = 0

    def count_reads(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        nonlocal reads
        reads += not str(sql).lstrip().upper().startswith(DDL)
        return execute(sql, *args)

    with connection.execute_wrapper(count_reads):
        with connection.schema_editor(atomic=False) as editor:  # runs deferred SQL on exit
            if keep and isinstance(editor, DatabaseSchemaEditor):
                editor.sent = sent
            for step in steps:
                step.operation.database_forwards(app_label, editor, step.before, step.after)
    if keep and not any(schema_name in sql for sql, _ in sent):
        anywhere = not fresh and reads == 0
        if anywhere or fresh:
            plan.sent[number] = Sent(tuple(sent), anywhere=anywhere)


def _sends_the_same_every_time(operation: Operation) -> bool:
    module = type(operation).__module__
    return module.startswith("django.db.migrations.operations.") and not isinstance(
        operation, RunPython | SeparateDatabaseAndState
    )


def _send_again(statements: tuple[tuple[str, Any], ...]) -> None:
    with connection.schema_editor(atomic=False) as editor:
        for sql, params in statements:
            editor.execute(sql, params)


def _as_signal_plan(plan: Plan) -> list[tuple[Migration, bool]]:
    return [(migration, False) for migration in plan.migrations]

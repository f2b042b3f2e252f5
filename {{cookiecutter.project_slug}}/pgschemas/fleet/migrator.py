"""Apply migrations to many schemas with the work Django repeats per schema done once.

Django's ``migrate`` loads the migration graph, replays every applied migration into a project
state and renders historical models each time it runs. Every tenant schema has the same apps, so
schemas at the same point of their history need the same plan and the same states: this module
computes them once per process (per distinct starting point) and then, per schema, only runs
the database side of each operation, records the migrations and sends the migrate signals, as
Django's ``migrate`` does. A new, empty schema goes further: the statements that Django's own
schema operations sent in the first new schema of a plan are sent again as they are.
"""

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, transaction
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.special import RunPython, SeparateDatabaseAndState
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState, StateApps
from django.utils.module_loading import module_has_submodule

from ..app_settings import citus_enabled
from ..names import quote_schema_name
from ..postgresql_backend.schema_editor import DatabaseSchemaEditor
from ..schema import Schema

MigrationKey = tuple[str, str]
DDL = ("CREATE ", "ALTER ", "DROP ", "COMMENT ")


@dataclass(frozen=True)
class Step:
    """One operation of a migration with the project states before and after it."""

    operation: Operation
    before: ProjectState
    after: ProjectState


@dataclass(frozen=True)
class Plan:
    """What a schema whose history is ``applied`` still needs, with every state precomputed."""

    migrations: tuple[Migration, ...]
    steps: tuple[tuple[Step, ...], ...]  # per migration
    pre_migrate_apps: StateApps
    post_migrate_apps: StateApps
    # What the schema editor's introspection found in the first new schema that this plan made,
    # by (call number, table): the same in every new schema (see remembered_introspection).
    introspected: dict[tuple[int, str], Any] = field(default_factory=dict, compare=False)
    # The statements the schema editor sent for each migration (by position in ``migrations``)
    # in the first new schema that this plan made: the same in every new schema (see _migrate).
    sent: dict[int, tuple[tuple[str, Any], ...]] = field(default_factory=dict, compare=False)


@cache
def migration_graph() -> MigrationLoader:
    """The migrations on disk, loaded once per process (the database is not read)."""
    for app_config in global_apps.get_app_configs():  # as ``migrate`` does: signal handlers
        if module_has_submodule(app_config.module, "management"):
            import_module(".management", app_config.name)
    return MigrationLoader(None, ignore_no_migrations=True)


def expected_migrations() -> frozenset[MigrationKey]:
    """What every schema's ``django_migrations`` holds once it is up to date.

    ``migrate`` records every migration of the plan in each schema, also those whose operations
    the router skips there, so this is the same set for every schema.
    """
    return frozenset(migration_graph().graph.nodes)


@cache
def needs_django_migrate() -> bool:
    """Whether the fast path cannot reproduce ``migrate`` exactly for this project.

    Squashed migrations make the plan depend on which replaced ones a schema has, and apps
    without migrations are created by ``migrate``'s syncdb phase: both are left to Django.
    """
    loader = migration_graph()
    unmigrated_models = any(
        list(global_apps.get_app_config(label).get_models()) for label in loader.unmigrated_apps
    )
    return bool(loader.replacements) or unmigrated_models


def applied_migrations(schema_name: str) -> frozenset[MigrationKey] | None:
    """The migrations recorded in a schema, or None when it has no ``django_migrations``."""
    table = f"{quote_schema_name(schema_name)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT app, name FROM {table}")
        return frozenset(cursor.fetchall())


@cache
def plan_from(applied: frozenset[MigrationKey]) -> Plan:
    """The plan and states for a schema that has ``applied``; computed once per process."""
    loader = migration_graph()
    _check_consistent(loader, applied)
    full_plan = _full_plan(loader)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    for migration in full_plan:
        if (migration.app_label, migration.name) in applied:
            migration.mutate_state(state, preserve=False)
    state.apps  # noqa: B018 -- render every model once; each clone below reuses the rendering
    pre_migrate_apps = state.clone().apps
    todo = tuple(m for m in full_plan if (m.app_label, m.name) not in applied)
    steps = []
    for migration in todo:
        migration_steps = []
        for operation in migration.operations:
            after = state.clone()
            operation.state_forwards(migration.app_label, after)
            if isinstance(operation, RunPython):
                _render_fully(state)
            migration_steps.append(Step(operation, state, after))
            state = after
        steps.append(tuple(migration_steps))
    return Plan(todo, tuple(steps), pre_migrate_apps, _post_migrate_apps(state))


def _check_consistent(loader: MigrationLoader, applied: frozenset[MigrationKey]) -> None:
    """Refuse, as ``migrate`` does, a history with a migration applied before a dependency."""
    for key in applied & loader.graph.nodes.keys():
        for parent in loader.graph.node_map[key].parents:
            if parent.key not in applied:
                raise InconsistentMigrationHistory(
                    f"Migration {key[0]}.{key[1]} is applied before its dependency "
                    f"{parent.key[0]}.{parent.key[1]}."
                )


def _render_fully(state: ProjectState) -> None:
    """What RunPython does to its state before running (re-render delayed models), done once
    here instead of once per schema."""
    state.clear_delayed_apps_cache()
    state.apps  # noqa: B018
    state.is_delayed = False


def _full_plan(loader: MigrationLoader) -> list[Migration]:
    """Every migration in the order ``migrate`` applies them to an empty schema."""
    seen: dict[MigrationKey, Migration] = {}
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            seen.setdefault(key, loader.graph.nodes[key])
    return list(seen.values())


def _post_migrate_apps(state: ProjectState) -> StateApps:
    """The apps ``migrate`` gives post_migrate handlers: real apps' models re-rendered."""
    state = state.clone()
    state.clear_delayed_apps_cache()
    post_migrate_apps = state.apps
    with post_migrate_apps.bulk_update():
        model_keys = []
        for model_state in post_migrate_apps.real_models:
            model_key = model_state.app_label, model_state.name_lower
            model_keys.append(model_key)
            post_migrate_apps.unregister_model(*model_key)
    post_migrate_apps.render_multiple(
        [ModelState.from_model(global_apps.get_model(*model)) for model in model_keys]
    )
    return post_migrate_apps


def migrate_schema(schema: Schema, *, new: bool = False) -> int:
    """Bring one existing schema up to date in one transaction; return how many were applied.

    ``new``: the caller created the schema, empty, in this transaction. A failure rolls the
    whole schema back to where it was.
    """
    with schema, transaction.atomic():
        if needs_django_migrate():
            before = applied_migrations(schema.schema_name) or frozenset()
            call_command(DjangoMigrateCommand(), interactive=False, verbosity=0, skip_checks=True)
            return len((applied_migrations(schema.schema_name) or frozenset()) - before)
        applied = applied_migrations(schema.schema_name)
        plan = plan_from(applied or frozenset())
        if not plan.migrations and applied is not None:
            return 0
        fresh = new and applied is None
        with remembered_introspection(plan) if fresh else nullcontext():
            _run(
                plan,
                MigrationRecorder(connection),
                schema.schema_name,
                create_table=applied is None,
                fresh=fresh,
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
    plan: Plan, recorder: MigrationRecorder, schema_name: str, *, create_table: bool, fresh: bool
) -> None:
    """``migrate``'s work for one schema, inside the caller's transaction.

    That transaction already makes the schema all or nothing, so migrations and operations get
    no savepoints of their own, and the migrations are recorded in one statement at the end.
    ``fresh``: the schema was created empty in this transaction.
    """
    emit_pre_migrate_signal(
        0, False, connection.alias, apps=plan.pre_migrate_apps, plan=_as_signal_plan(plan)
    )
    with batched_ddl():
        if create_table:  # what the recorder's ensure_schema() does
            with connection.schema_editor(atomic=False) as editor:
                editor.create_model(recorder.Migration)
        for number, steps in enumerate(plan.steps):
            if fresh and number in plan.sent:
                _send_again(plan.sent[number])
            else:
                _migrate(plan, number, steps, schema_name, fresh=fresh)
    recorder.migration_qs.bulk_create(
        recorder.Migration(app=migration.app_label, name=migration.name)
        for migration in plan.migrations
    )
    emit_post_migrate_signal(
        0, False, connection.alias, apps=plan.post_migrate_apps, plan=_as_signal_plan(plan)
    )


def _migrate(
    plan: Plan, number: int, steps: tuple[Step, ...], schema_name: str, *, fresh: bool
) -> None:
    """Run one migration's operations; in a fresh schema, keep what they sent for the next one.

    Django's own schema operations on an empty schema at the same point of its history send the
    same statements every time: generating them again costs a third of the Python time of a new
    schema. Kept only when every operation is one of Django's schema operations (not RunPython,
    not an operation of a library or of the project, which may do anything) and no statement
    names the schema.
    """
    app_label = plan.migrations[number].app_label
    keep = fresh and all(_sends_the_same_every_time(step.operation) for step in steps)
    sent: list[tuple[str, Any]] = []
    with connection.schema_editor(atomic=False) as editor:  # runs deferred SQL on exit
        if keep and isinstance(editor, DatabaseSchemaEditor):
            editor.sent = sent
        for step in steps:
            step.operation.database_forwards(app_label, editor, step.before, step.after)
    if keep and not any(schema_name in sql for sql, _ in sent):
        plan.sent[number] = tuple(sent)


def _sends_the_same_every_time(operation: Operation) -> bool:
    module = type(operation).__module__
    return module.startswith("django.db.migrations.operations.") and not isinstance(
        operation, RunPython | SeparateDatabaseAndState
    )


def _send_again(statements: tuple[tuple[str, Any], ...]) -> None:
    with connection.schema_editor(atomic=False) as editor:
        for sql, params in statements:
            editor.execute(sql, params)


@contextmanager
def batched_ddl() -> Iterator[None]:
    """Send consecutive DDL statements to the server together, in one round trip.

    The same statements in the same order: a DDL statement returns nothing, so it can wait
    until the next statement that does (an introspection query, an INSERT) or the end. Not on
    Citus, which sends DDL on to the workers as prepared statements: one command each.
    """
    if citus_enabled():
        yield
        return
    waiting: list[str] = []

    def flush(execute: Callable[..., Any], context: dict[str, Any]) -> None:
        if waiting:
            batch = ";\n".join(waiting)
            waiting.clear()
            execute(batch, None, False, context)

    def batch(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        if params is None and not many and str(sql).lstrip().upper().startswith(DDL):
            waiting.append(str(sql))
            return None
        flush(execute, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(batch):
        yield
    with connection.cursor() as cursor:  # the DDL that came last, unwrapped
        flush(lambda sql, *_: cursor.execute(sql), {})


def _as_signal_plan(plan: Plan) -> list[tuple[Migration, bool]]:
    return [(migration, False) for migration in plan.migrations]

"""What a schema needs to be brought up to date: the plan and every project state, computed once
per process for each distinct starting point (every tenant schema has the same apps)."""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.special import RunPython
from django.db.migrations.state import ModelState, ProjectState, StateApps
from django.utils.module_loading import module_has_submodule

from ..names import quote_schema_name

MigrationKey = tuple[str, str]


@dataclass(frozen=True)
class History:
    """An existing schema and the migrations it has recorded (None: no ``django_migrations``)."""

    exists: bool
    applied: frozenset[MigrationKey] | None = None
    stamped: bool = False  # ``applied`` comes from a stamp that counts (stamps.py)


@dataclass(frozen=True)
class Step:
    """One operation of a migration with the project states before and after it."""

    operation: Operation
    before: ProjectState
    after: ProjectState


@dataclass(frozen=True)
class Sent:
    """The statements one migration of a plan sent, to send again in the next schema."""

    statements: tuple[tuple[str, Any], ...]
    anywhere: bool  # nothing was read first: right for any schema, not only a new one


@dataclass(frozen=True)
class Plan:
    """What a schema whose history is ``applied`` still needs, with every state precomputed."""

    migrations: tuple[Migration, ...]
    steps: tuple[tuple[Step, ...], ...]  # per migration
    pre_migrate_apps: StateApps
    post_migrate_apps: StateApps
    # Whether the plan adds, removes or renames a model or changes a model's permissions: only
    # then can auth's post_migrate handler have permission rows to create.
    changes_permissions: bool
    # What the schema editor's introspection found in the first new schema that this plan made,
    # by (call number, table): the same in every new schema (see remembered_introspection).
    introspected: dict[tuple[int, str], Any] = field(default_factory=dict, compare=False)
    # The statements the schema editor sent for each migration (by position in ``migrations``)
    # in the first schema that this plan migrated (see migrator._migrate).
    sent: dict[int, Sent] = field(default_factory=dict, compare=False)


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
    permissions_before = _permission_catalogue(state)
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
    return Plan(
        todo,
        tuple(steps),
        pre_migrate_apps,
        _post_migrate_apps(state),
        changes_permissions=_permission_catalogue(state) != permissions_before,
    )


def _permission_catalogue(state: ProjectState) -> dict[tuple[str, str], tuple[Any, Any]]:
    """What auth's ``create_permissions`` derives its rows from: each model and its permission
    options (a changed verbose name renames no existing permission)."""
    return {
        key: (
            model.options.get("permissions", ()),
            model.options.get("default_permissions", ("add", "change", "delete", "view")),
        )
        for key, model in state.models.items()
    }


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

"""``migrateschema``'s engine: find who is behind in one go, migrate them in parallel.

Public first, then the static tenants, in this process with Django's own ``migrate``; then the
dynamic tenants (and the spare schemas) that have something to apply, in worker processes.
``migrateschema`` migrates several tenants per transaction (``PGSCHEMAS_MIGRATE_BATCH``), each in
a savepoint of its own: one commit per batch instead of one per schema, and a schema that fails is
still rolled back alone, named, and the others of its batch go on (unless ``fail_fast``). A batch
is committed whole or not at all: a killed run leaves no schema half-migrated, and its rerun does
what is left. Progress is reported as each batch commits.
"""

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from math import ceil

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection, connections, transaction

from ..app_settings import migrate_batch
from ..config import PUBLIC
from ..schema import Schema
from .batches import Outcome, describe, migrate_dynamic_batch
from .migrations_state import schemas_behind
from .plans import (
    MigrationKey,
    applied_migrations,
    expected_migrations,
    migration_graph,
)
from .progress import Output, Progress
from .provisioning import create_missing_schema
from .stamps import prune_sets, set_committed, stamps_enabled


def default_jobs() -> int:
    return os.cpu_count() or 1


def migrate_fleet(
    schemas: Iterable[Schema],
    *,
    jobs: int,
    fail_fast: bool,
    progress: Progress,
    stdout: Output,
    before_changes: Callable[[], None],
) -> list[Outcome]:
    """Migrate ``schemas`` (public and static ones first, as given); return the failures.

    ``schemas`` is consumed lazily: a selection that reads the tenant table does so only once
    public has been migrated. ``before_changes`` is called before each schema or group of
    schemas is changed (the command's system checks, run once).
    """
    failures: list[Outcome] = []
    expected = expected_migrations()
    dynamic: list[str] = []
    for schema in schemas:
        if schema.is_dynamic:
            dynamic.append(schema.schema_name)
            continue
        progress.total += 1
        outcome = _migrate_static(schema, expected, progress.verbosity, stdout, before_changes)
        _report(outcome, progress, failures)
        if failures and (fail_fast or outcome.schema_name == PUBLIC):
            return failures  # every tenant relies on public (content types, the tenant table)
    progress.total += len(dynamic)
    if stamps_enabled():
        prune_sets()
    behind = set(schemas_behind(dynamic, expected, stamp_unstamped=True))
    for name in dynamic:
        if name not in behind:
            progress.schema_done(name, 0)
    todo = [name for name in dynamic if name in behind]
    if not todo:
        return failures
    before_changes()
    # Batches no larger than what keeps every worker busy.
    batch = max(min(migrate_batch(), ceil(len(todo) / max(jobs, 1))), 1)
    with set_committed(expected):  # what the schemas' stamps will name, written once
        for outcome in migrate_dynamic_schemas(todo, jobs=jobs, fail_fast=fail_fast, batch=batch):
            _report(outcome, progress, failures)
    return failures


def _report(outcome: Outcome, progress: Progress, failures: list[Outcome]) -> None:
    if outcome.error is None:
        progress.schema_done(outcome.schema_name, outcome.applied)
    else:
        failures.append(outcome)
        progress.schema_failed(outcome.schema_name, outcome.error)


def _migrate_static(
    schema: Schema,
    expected: frozenset[MigrationKey],
    verbosity: int,
    stdout: Output,
    before_changes: Callable[[], None],
) -> Outcome:
    """Public or a static tenant, with Django's ``migrate`` (syncdb, squashes and all)."""
    name = schema.schema_name
    if not schemas_behind([name], expected):
        return Outcome(name)
    before_changes()
    missing = len(expected - (applied_migrations(name) or frozenset()))
    try:
        with schema, transaction.atomic():
            create_missing_schema(schema)
            call_command(
                DjangoMigrateCommand(),
                interactive=False,
                verbosity=max(verbosity - 1, 0),
                skip_checks=True,
                stdout=stdout,
            )
    except Exception as error:
        return Outcome(name, error=describe(error))
    return Outcome(name, applied=missing)


def migrate_dynamic_schemas(
    names: list[str], *, jobs: int, fail_fast: bool, batch: int = 1
) -> Generator[Outcome, None, None]:
    """Create (when missing) and migrate these schemas, ``batch`` per transaction, in ``jobs``
    worker processes."""
    batches = [names[start : start + batch] for start in range(0, len(names), batch)]
    if jobs <= 1 or len(batches) <= 1 or connection.in_atomic_block:
        # In a transaction (a test, a caller's atomic()), workers could not see its rows.
        for names_of_batch in batches:
            outcomes = migrate_dynamic_batch(names_of_batch, fail_fast=fail_fast)
            yield from outcomes
            if fail_fast and any(outcome.error is not None for outcome in outcomes):
                return
        return
    yield from _in_workers(batches, jobs=jobs, fail_fast=fail_fast)


def _in_workers(batches: list[list[str]], *, jobs: int, fail_fast: bool) -> Iterator[Outcome]:
    """Fork ``jobs`` workers that inherit the loaded apps and migration graph."""
    migration_graph()  # loaded before the fork: once for all workers
    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(batches)),
        mp_context=context,
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )
    pending: dict[Future[list[Outcome]], list[str]] = {
        pool.submit(migrate_dynamic_batch, names, fail_fast=fail_fast): names for names in batches
    }
    try:
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                names = pending.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool as error:
                    outcomes = [
                        Outcome(name, error=f"worker process died: {error}") for name in names
                    ]
                yield from outcomes
                if fail_fast and any(outcome.error is not None for outcome in outcomes):
                    for other in pending:
                        other.cancel()
                    pending = {f: n for f, n in pending.items() if not f.cancelled()}
                    fail_fast = False  # let the ones already running finish and report
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose command was killed stops too (its open transaction is rolled back),
    rather than waiting forever for work."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="pgschemas-parent-watch", daemon=True).start()

from collections.abc import Iterable, Iterator
from typing import Any, cast

from django.core.management import CommandError
from django.core.management.base import CommandParser
from django.core.management.commands import migrate

from ...fleet.progress import Progress
from ...fleet.provisioning import create_missing_schema
from ...fleet.runner import default_jobs, migrate_fleet
from ...fleet.selectors import ALL, DYNAMIC, SELECTOR_HELP, all_schemas, select_schemas
from ...fleet.spares import missing_spares, refill_spare_schemas, spare_schemas
from ...schema import Schema
from ..base import ReportsTenancyErrors

# Options of Django's migrate that ask for something other than "bring everything up to date":
# those run Django's migrate in each selected schema, one after the other.
DJANGO_ONLY_OPTIONS = ("app_label", "fake", "fake_initial", "plan", "check_unapplied", "prune")


class Command(ReportsTenancyErrors, migrate.Command):
    help = (
        "Migrate every schema, or the schemas selected with -s: public, then static tenants, "
        "then dynamic tenants in parallel, each schema in its own transaction. The system "
        "checks run before the first change: a run with nothing to apply skips them."
    )
    checks_pending = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "-s",
            "--schema",
            dest="schemas",
            action="append",
            metavar="SELECTOR",
            help=SELECTOR_HELP,
        )
        parser.add_argument(
            "-j",
            "--jobs",
            type=int,
            default=default_jobs(),
            help="Worker processes for the dynamic tenants (default: the number of CPUs).",
        )
        parser.add_argument(
            "--fail-fast",
            action="store_true",
            help="Stop at the first schema that fails (by default the others go on).",
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        # The system checks wait for the first change (``check_once``): with nothing to apply,
        # checking the project would cost more than finding that out, and protect nothing.
        self.checks_pending = not options["skip_checks"]
        return super().execute(*args, **{**options, "skip_checks": True})

    def check_once(self, options: dict[str, Any]) -> None:
        if self.checks_pending:
            self.checks_pending = False
            # (django-stubs types the keyword arguments' names as optional)
            self.check(**cast(dict[str, Any], self.get_check_kwargs(options)))

    def handle(self, *args: Any, **options: Any) -> None:
        selectors = options.pop("schemas")
        jobs, fail_fast = options.pop("jobs"), options.pop("fail_fast")
        if any(options.get(name) for name in DJANGO_ONLY_OPTIONS):
            self.check_once(options)
            self._django_migrate_each(selectors, *args, **options)
            return
        schemas = select_schemas(selectors) if selectors else all_schemas(tenants=False)
        if not selectors or ALL in selectors or DYNAMIC in selectors:
            schemas = _followed_by_spares(schemas)
        progress = Progress(self.stdout, self.stderr, verbosity=options["verbosity"])
        failures = migrate_fleet(
            schemas,
            jobs=jobs,
            fail_fast=fail_fast,
            progress=progress,
            stdout=self.stdout,
            before_changes=lambda: self.check_once(options),
        )
        progress.finish()
        if not selectors and not failures and missing_spares():
            self.check_once(options)
            refill_spare_schemas()  # a full run also tops up the pool of spare schemas
        if failures:
            self.stderr.write(f"{len(failures)} schema(s) failed and were left as they were:")
            for failure in failures:
                self.stderr.write(f"  {failure.schema_name}: {failure.error}")
            names = ", ".join(failure.schema_name for failure in failures)
            raise CommandError(
                f"Migrating failed for: {names}. Fix them and run migrateschema again: "
                "it only does what is left.",
                returncode=1,
            )

    def _django_migrate_each(self, selectors: list[str] | None, *args: Any, **options: Any) -> None:
        """Django's migrate in each selected schema in turn, for its special options."""
        for schema in select_schemas(selectors) if selectors else all_schemas():
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Schema {schema.schema_name!r}:"))
            create_missing_schema(schema)
            with schema:
                super().handle(*args, **options)


def _followed_by_spares(schemas: Iterable[Schema]) -> Iterator[Schema]:
    yield from schemas
    yield from spare_schemas()

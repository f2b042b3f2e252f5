from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands import migrate

from ...provisioning import create_missing_schema
from ...selectors import SELECTOR_HELP, all_schemas, select_schemas


class Command(migrate.Command):
    help = "Migrate every schema, or the schemas selected with -s, each with its own apps."

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

    def handle(self, *args: Any, **options: Any) -> None:
        selectors = options.pop("schemas")
        schemas = select_schemas(selectors) if selectors else all_schemas()
        for schema in schemas:
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Schema {schema.schema_name!r}:"))
            create_missing_schema(schema)
            with schema:
                super().handle(*args, **options)
            options["skip_checks"] = True  # once is enough

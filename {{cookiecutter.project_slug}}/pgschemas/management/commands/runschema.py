import argparse
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser

from ...fleet.selectors import SELECTOR_HELP, select_schemas
from ..base import ReportsTenancyErrors

SCHEMA_FLAGS = ("-s", "--schema")


class Command(ReportsTenancyErrors):
    help = "Run another management command in each schema selected with -s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("command_name", help="The command to run, e.g. shell or loaddata.")
        parser.add_argument(
            "command_args", nargs=argparse.REMAINDER, help="Arguments and options for that command."
        )
        parser.add_argument(
            *SCHEMA_FLAGS,
            dest="schemas",
            action="append",
            metavar="SELECTOR",
            help=SELECTOR_HELP,
        )

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after the command name belongs to it, except our -s options: move those
        # before it, so that ``runschema loaddata x -s t1 --format=json`` works as written.
        super().run_from_argv(argv[:2] + schema_options_first(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:
        command_name = options["command_name"]
        if not options["schemas"]:
            raise CommandError(
                f"Say where to run {command_name!r}: add -s/--schema with a schema name, "
                ":static:, :dynamic:, :all:, or the start of a domain."
            )
        for schema in select_schemas(options["schemas"]):
            if options["verbosity"] >= 1:
                self.stderr.write(f"Schema {schema.schema_name!r}: {command_name}")
            with schema:
                call_command(command_name, *options["command_args"])


def schema_options_first(tokens: list[str]) -> list[str]:
    """``loaddata x -s t1 --format=json`` -> ``-s t1 loaddata x --format=json``."""
    ours: list[str] = []
    theirs: list[str] = []
    remaining = iter(tokens)
    for token in remaining:
        if token in SCHEMA_FLAGS:
            ours += [token, next(remaining, "")]
        elif token.startswith("--schema="):
            ours.append(token)
        else:
            theirs.append(token)
    return [*ours, *theirs]

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from ...fleet.bulk import create_tenants, planned_schema_names
from ...fleet.progress import Progress
from ...fleet.runner import default_jobs
from ..base import ReportsTenancyErrors


class Command(ReportsTenancyErrors):
    help = (
        "Create COUNT tenants named PREFIX1, PREFIX2, ... (each with a domain when --domain is "
        "given): their schemas are migrated in parallel, and each tenant takes one as it is ready."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--prefix", default="tenant_", help="Schema name before the number.")
        parser.add_argument("--start", type=int, default=1, help="The first number.")
        parser.add_argument(
            "--domain", default="", help="Give each tenant the domain <schema>.<DOMAIN>."
        )
        parser.add_argument("-j", "--jobs", type=int, default=default_jobs())

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            names = planned_schema_names(options["prefix"], options["start"], options["count"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        progress = Progress(self.stdout, self.stderr, verbosity=options["verbosity"])
        progress.total = len(names)
        failures = create_tenants(
            names, domain=options["domain"], jobs=options["jobs"], progress=progress
        )
        progress.finish()
        if failures:
            raise CommandError(f"{len(failures)} tenant(s) could not be created: {failures[0]}")

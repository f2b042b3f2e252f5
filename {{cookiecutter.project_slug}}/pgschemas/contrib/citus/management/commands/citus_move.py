from typing import Any

from django.core.management.base import CommandParser

from pgschemas.management.base import ReportsTenancyErrors

from ...operations import move_schema


class Command(ReportsTenancyErrors):
    help = "Move a tenant's schema to another worker of the Citus cluster; it stays writable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema_name", help="The schema to move, e.g. acme.")
        parser.add_argument("node", help="The worker to move it to, as host:port.")

    def handle(self, *args: Any, **options: Any) -> None:
        move_schema(options["schema_name"], options["node"])
        self.stdout.write(f"{options['schema_name']} is on {options['node']}.")

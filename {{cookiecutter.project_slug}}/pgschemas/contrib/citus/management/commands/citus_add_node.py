from typing import Any

from django.core.management.base import CommandParser

from pgschemas.management.base import ReportsTenancyErrors

from ...operations import add_node


class Command(ReportsTenancyErrors):
    help = "Add a worker (running, with the citus extension in this database) to the cluster."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("node", help="The new worker, as host:port.")

    def handle(self, *args: Any, **options: Any) -> None:
        add_node(options["node"])
        self.stdout.write(f"Added {options['node']}; run citus_rebalance to move tenants to it.")

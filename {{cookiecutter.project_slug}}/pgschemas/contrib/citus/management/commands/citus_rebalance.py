from typing import Any

from pgschemas.management.base import ReportsTenancyErrors

from ...operations import rebalance


class Command(ReportsTenancyErrors):
    help = "Move tenants' schemas between the Citus workers until each holds about as many."

    def handle(self, *args: Any, **options: Any) -> None:
        rebalance()
        self.stdout.write("Rebalanced; see citus_tenants for where each schema is now.")

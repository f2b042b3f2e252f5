from typing import Any

from django.core.management.base import BaseCommand

from ...citus import rebalance


class Command(BaseCommand):
    help = "Move tenants' schemas between the Citus workers until each holds about as many."

    def handle(self, *args: Any, **options: Any) -> None:
        rebalance()
        self.stdout.write("Rebalanced; see citus_tenants for where each schema is now.")

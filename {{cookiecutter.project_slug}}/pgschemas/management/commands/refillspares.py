from typing import Any

from django.core.management.base import CommandParser

from ...app_settings import spare_schemas
from ...fleet.spares import refill_spare_schemas
from ..base import ReportsTenancyErrors


class Command(ReportsTenancyErrors):
    help = (
        "Create spare schemas (migrated ahead of time) until there are PGSCHEMAS_SPARE_SCHEMAS, "
        "or --count; new tenants take one instead of being migrated at creation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=None, help="How many spares to keep.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = spare_schemas() if options["count"] is None else options["count"]
        created = refill_spare_schemas(count)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{created} spare schema(s) created; the pool holds {count}.")

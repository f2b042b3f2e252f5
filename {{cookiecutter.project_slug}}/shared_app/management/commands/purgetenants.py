from typing import Any

from django.core.management.base import CommandParser

from pgschemas.management.base import ReportsTenancyErrors
from shared_app.purge import due_for_purge, purge_due_tenants


class Command(ReportsTenancyErrors):
    help = (
        "Erase the workspaces pending deletion whose purge date has passed: schema, media files "
        "and rows. --dry-run lists them only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, erase nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        due = {tenant.schema_name: tenant for tenant in due_for_purge()}
        if dry_run:
            for name, tenant in due.items():
                self.stdout.write(f"would purge {name} (due {tenant.purge_after:%Y-%m-%d %H:%M})")
            self.stdout.write(f"{len(due)} workspace(s) due; nothing erased (--dry-run).")
            return
        purged = purge_due_tenants()
        for name in purged:
            self.stdout.write(f"purged {name}")
        kept = sorted(set(due) - set(purged))
        self.stdout.write(f"{len(purged)} workspace(s) purged.")
        if kept:
            self.stderr.write(f"Not purged (see the log): {', '.join(kept)}")

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from pgschemas.management.base import ReportsTenancyErrors

from ...tenant_import import import_tenant, replace_tenant


class Command(ReportsTenancyErrors):
    help = (
        "Restore a tenant from an archive of exporttenant: as a new tenant (--schema and "
        "--domain; its custom domains come back pending a DNS check), or in place of the live "
        "one (--schema and --replace; its domains stay as they are), keeping the replaced "
        "schema as _replaced_<time>_<schema>."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--schema", required=True, help="The tenant's schema name.")
        parser.add_argument("--domain", help="The new tenant's domain (without --replace).")
        parser.add_argument(
            "--replace", action="store_true", help="Replace the data of the tenant --schema."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive, schema = options["archive"], options["schema"]
        if options["replace"]:
            if options["domain"]:
                raise CommandError("--replace keeps the tenant's domains: leave out --domain.")
            kept = replace_tenant(archive, schema_name=schema)
            self.stdout.write(f"Replaced {schema} from {archive}; the old data is kept in {kept}.")
            return
        if not options["domain"]:
            raise CommandError("Give the new tenant's --domain (or --replace the tenant).")
        imported = import_tenant(archive, schema_name=schema, domain=options["domain"])
        self.stdout.write(f"Restored {archive} as {schema} at {options['domain']}.")
        domains = imported.custom_domains
        if domains.restored:
            self.stdout.write(
                "Custom domains restored as pending, served again once a DNS check finds their "
                f"record: {', '.join(domains.restored)}."
            )
        if domains.was_primary:
            self.stdout.write(
                f"{domains.was_primary} was the primary domain: an owner can make it primary "
                "again once it is verified."
            )
        for skipped in domains.skipped:
            self.stderr.write(f"Custom domain {skipped.domain} not restored: {skipped.reason}.")

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from pgschemas.management.base import ReportsTenancyErrors

from ...tenant_export import default_archive_name, export_tenant


class Command(ReportsTenancyErrors):
    help = (
        "Write one tenant's schema (pg_dump), Client, Domain and custom domain rows and media "
        "files to a .tar.gz archive, from a consistent snapshot, while the tenant keeps working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema", help="The tenant's schema name.")
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="The archive to write (default: <schema>-<time>.tar.gz).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["output"] or Path(default_archive_name(options["schema"]))
        manifest = export_tenant(options["schema"], out.resolve())
        rows = sum(manifest.row_counts.values())
        self.stdout.write(
            f"Exported {manifest.schema}: {len(manifest.row_counts)} tables, {rows} rows, "
            f"{len(manifest.files) - 1} media files -> {out}"
        )

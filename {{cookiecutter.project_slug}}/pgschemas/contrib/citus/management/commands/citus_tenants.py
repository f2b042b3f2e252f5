from typing import Any

from pgschemas.management.base import ReportsTenancyErrors

from ...operations import placements


class Command(ReportsTenancyErrors):
    help = "List every distributed schema of the Citus cluster: the worker holding it, its size."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = placements()
        self.stdout.write(f"{'schema':32} {'node':24} {'size':>12}")
        for row in rows:
            node = row.node or "(no tables yet)"
            self.stdout.write(f"{row.schema_name:32} {node:24} {row.size_bytes:>12}")
        nodes = sorted({row.node for row in rows if row.node})
        for node in nodes:
            count = sum(row.node == node for row in rows)
            self.stdout.write(f"{node}: {count} schemas")

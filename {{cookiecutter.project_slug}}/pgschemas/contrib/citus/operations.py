"""What the Citus operations commands run: placements, moves, rebalancing, new workers."""

from dataclasses import dataclass

from django.db import connection

from ...exceptions import CitusError
from ...names import check_schema_name
from .sharding import has_citus


@dataclass(frozen=True)
class Placement:
    schema_name: str
    node: str | None  # host:port of the worker, None while the schema has no table
    size_bytes: int


def require_citus() -> None:
    """Raise a CitusError unless the database is a Citus coordinator."""
    if not has_citus():
        raise CitusError(
            f"The database {connection.settings_dict['NAME']!r} is not a Citus coordinator (it "
            "has no citus extension). Point DATABASE_URL at the coordinator of a Citus cluster "
            "and set PGSCHEMAS_CITUS=on; see docs/scaling.md."
        )


def placements() -> list[Placement]:
    """Every distributed schema, with the worker that holds it and its size on disk."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.schema_name::text, min(sh.nodename || ':' || sh.nodeport),
                   coalesce(sum(sh.shard_size), 0)::bigint
            FROM citus_schemas s
            LEFT JOIN citus_shards sh ON sh.colocation_id = s.colocation_id
            GROUP BY 1 ORDER BY 1
            """
        )
        return [Placement(*row) for row in cursor.fetchall()]


def workers() -> list[str]:
    """host:port of every active worker node."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename || ':' || nodeport FROM pg_dist_node "
            "WHERE isactive AND noderole = 'primary' AND shouldhaveshards AND groupid <> 0 "
            "ORDER BY nodeid"
        )
        return [node for (node,) in cursor.fetchall()]


def parse_node(node: str) -> tuple[str, int]:
    host, _, port = node.rpartition(":")
    if not host or not port.isdigit():
        raise CitusError(f"{node!r} is not a node address: write it as host:port.")
    return host, int(port)


def move_schema(schema_name: str, node: str) -> None:
    """Move a distributed schema to the worker ``node`` (host:port), writes allowed meanwhile."""
    check_schema_name(schema_name)
    host, port = parse_node(node)
    by_schema = {placement.schema_name: placement for placement in placements()}
    if schema_name not in by_schema:
        raise CitusError(f"{schema_name!r} is not a distributed schema of this cluster.")
    if node not in workers():
        raise CitusError(f"{node!r} is not an active worker; the workers: {workers()}.")
    if by_schema[schema_name].node == node:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citus_schema_move(%s::regnamespace, %s, %s)", [schema_name, host, port]
        )


def rebalance() -> None:
    """Move schemas until every worker holds about as many; waits until done."""
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_rebalance_start()")
        cursor.execute("SELECT citus_rebalance_wait()")


def add_node(node: str) -> None:
    """Register a new worker (already running with Citus in this database) with the cluster."""
    host, port = parse_node(node)
    require_citus()
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_add_node(%s, %s)", [host, port])

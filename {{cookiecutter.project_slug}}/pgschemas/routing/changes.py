"""The routing change log: what changed in the routing tables, read by every process in one query.

Triggers on the domain and tenant tables (installed by a migration, so ``save()``,
``QuerySet.update()``, bulk deletes and raw SQL all count) write one row per changed row to
``pgschemas_routing_change``: the domain (before and after the change) and the tenant id. A row
with neither (written by a table in ``PGSCHEMAS_ROUTING_RELATED``, the plans) means "every
tenant". Each row's ``id`` (a sequence) is the routing version; ``txid`` is the transaction that
wrote it.

A process reads the log by transaction, not by version: a sequence hands out numbers in the order
transactions ask, not the order they commit, so a reader that kept "the highest version seen"
would skip a row whose transaction took a smaller number and committed later. Instead a process
keeps a watermark, the oldest transaction still running when it last read (the snapshot's
``xmin``): every row it has not seen was written by a transaction at or above the watermark, so
``txid >= watermark`` (an index range, a handful of rows) finds all of them, whatever the number
of tenants. Rows read twice are recognised by their ``id``.

Old rows are pruned by the triggers themselves (at most one transaction at a time, never waiting
for another), once older than ``KEPT``; ``pgschemas_routing_horizon`` records the newest
transaction pruned. A process whose watermark is at or below it may have missed a pruned row: it
forgets its whole map and starts again (``ChangeBatch.complete`` is false).
"""

from dataclasses import dataclass, field

from django.db import connection

from ..config import PUBLIC

LOG = "pgschemas_routing_change"
HORIZON = "pgschemas_routing_horizon"
KEPT = "1 hour"  # how long a change stays readable: a process idle for longer starts again
PRUNE_LOCK = 0x706773_726F75  # the advisory lock key taken by the one transaction pruning
MAX_CHANGES = 1_000  # more changes than this at once: forgetting everything is cheaper


def install_sql(domain_table: str, tenant_table: str, related_tables: tuple[str, ...]) -> str:
    """The log, its triggers on the routing tables, and the pruning (for a migration)."""
    statements = [
        f"""
        CREATE TABLE {PUBLIC}.{LOG} (
            id bigserial PRIMARY KEY,
            txid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
            changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            domain varchar(253),
            tenant_id bigint
        );
        CREATE INDEX {LOG}_txid ON {PUBLIC}.{LOG} (txid);
        CREATE TABLE {PUBLIC}.{HORIZON} (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            pruned_below bigint NOT NULL DEFAULT 0
        );
        INSERT INTO {PUBLIC}.{HORIZON} DEFAULT VALUES;

        CREATE FUNCTION {PUBLIC}.pgschemas_domain_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO {PUBLIC}.{LOG} (domain, tenant_id) VALUES (OLD.domain, OLD.tenant_id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO {PUBLIC}.{LOG} (domain, tenant_id) VALUES (NEW.domain, NEW.tenant_id);
            END IF;
            RETURN NULL;
        END $$;

        CREATE FUNCTION {PUBLIC}.pgschemas_tenant_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {PUBLIC}.{LOG} (tenant_id)
            VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
            RETURN NULL;
        END $$;

        CREATE FUNCTION {PUBLIC}.pgschemas_every_tenant_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {PUBLIC}.{LOG} (domain, tenant_id) VALUES (NULL, NULL);
            RETURN NULL;
        END $$;

        CREATE FUNCTION {PUBLIC}.pgschemas_prune_routing_changes() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT changed_at FROM {PUBLIC}.{LOG} ORDER BY id LIMIT 1)
                    < clock_timestamp() - interval '{KEPT}'
                AND pg_try_advisory_xact_lock({PRUNE_LOCK}) THEN
                WITH gone AS (
                    DELETE FROM {PUBLIC}.{LOG}
                    WHERE changed_at < clock_timestamp() - interval '{KEPT}'
                    RETURNING txid
                )
                UPDATE {PUBLIC}.{HORIZON}
                SET pruned_below = greatest(pruned_below, (SELECT max(txid) + 1 FROM gone))
                WHERE EXISTS (SELECT FROM gone);
            END IF;
            RETURN NULL;
        END $$;
        """,
        _triggers(domain_table, "pgschemas_domain_changed", "ROW"),
        _triggers(tenant_table, "pgschemas_tenant_changed", "ROW"),
        *(
            _triggers(table, "pgschemas_every_tenant_changed", "STATEMENT")
            for table in related_tables
        ),
    ]
    statements += [
        _triggers(table, "pgschemas_prune_routing_changes", "STATEMENT")
        for table in (domain_table, tenant_table)
    ]
    return "\n".join(statements)


def _triggers(table: str, function: str, level: str) -> str:
    return (
        f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {PUBLIC}.{table} "
        f"FOR EACH {level} EXECUTE FUNCTION {PUBLIC}.{function}();"
    )


def uninstall_sql(domain_table: str, tenant_table: str, related_tables: tuple[str, ...]) -> str:
    drops = [
        f"DROP TRIGGER pgschemas_every_tenant_changed ON {PUBLIC}.{table};"
        for table in related_tables
    ]
    drops += [
        f"DROP TRIGGER pgschemas_prune_routing_changes ON {PUBLIC}.{table};"
        for table in (domain_table, tenant_table)
    ]
    drops += [
        f"DROP TRIGGER pgschemas_domain_changed ON {PUBLIC}.{domain_table};",
        f"DROP TRIGGER pgschemas_tenant_changed ON {PUBLIC}.{tenant_table};",
    ]
    drops += [
        f"DROP FUNCTION {PUBLIC}.{function}();"
        for function in (
            "pgschemas_domain_changed",
            "pgschemas_tenant_changed",
            "pgschemas_every_tenant_changed",
            "pgschemas_prune_routing_changes",
        )
    ]
    drops += [f"DROP TABLE {PUBLIC}.{LOG};", f"DROP TABLE {PUBLIC}.{HORIZON};"]
    return "\n".join(drops)


@dataclass
class ChangeBatch:
    """What changed since a watermark: the domains and tenants to forget, whether every tenant
    changed, and the next watermark. ``complete`` is false when the log cannot tell (pruned past
    the watermark, or too many changes): then everything is to be forgotten."""

    watermark: int
    complete: bool = True
    every_tenant: bool = False
    domains: set[str] = field(default_factory=set)
    tenants: set[int] = field(default_factory=set)
    seen: dict[int, int] = field(default_factory=dict)  # change id -> txid, from the watermark on


def read_changes(watermark: int | None, seen: dict[int, int]) -> ChangeBatch:
    """The changes written from ``watermark`` on (one query) that are not in ``seen``. With no
    watermark (the process holds nothing yet), the changes visible now are marked as seen: what
    the process looks up from now on already shows them."""
    xmin = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    with connection.cursor() as cursor:
        cursor.execute(
            # A small LIMIT: the index on txid is taken even before the log has statistics (a
            # bulk import just wrote it). The horizon as a scalar subquery: a join with it would
            # be estimated at thousands of rows (a one-row table without statistics) and pay for
            # JIT compilation each time.
            f"SELECT {xmin}, (SELECT pruned_below FROM {PUBLIC}.{HORIZON}), "
            "c.id, c.txid, c.domain, c.tenant_id "
            f"FROM (SELECT) one LEFT JOIN (SELECT * FROM {PUBLIC}.{LOG} "
            f"WHERE txid >= coalesce(%s::bigint, {xmin}) ORDER BY txid LIMIT %s) c ON true",
            [watermark, MAX_CHANGES + 1],
        )
        rows = cursor.fetchall()
    xmin, pruned_below = rows[0][0], rows[0][1]
    batch = ChangeBatch(watermark=xmin)
    changes = [row[2:] for row in rows if row[2] is not None]
    if watermark is None:
        batch.seen = {change_id: txid for change_id, txid, _, _ in changes}
        return batch
    if watermark < pruned_below or len(changes) > MAX_CHANGES:
        batch.complete = False
        return batch
    for change_id, txid, domain, tenant_id in changes:
        if txid >= xmin:
            batch.seen[change_id] = txid  # its transaction may hide others: read it again
        if change_id in seen:
            continue
        if domain is None and tenant_id is None:
            batch.every_tenant = True
        if domain is not None:
            batch.domains.add(domain)
        if tenant_id is not None:
            batch.tenants.add(tenant_id)
    return batch

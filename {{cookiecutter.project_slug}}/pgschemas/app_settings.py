"""Every ``PGSCHEMAS_*`` setting, with its default, in one place.

Read at each use rather than at import, so ``override_settings`` in tests takes effect.
"""

from django.conf import settings

DEFAULT_RESOLVERS = ("pgschemas.routing.resolvers.HostResolver",)


def routing_check_seconds() -> float:
    """How often (at most) a process checks whether the routing tables changed."""
    return float(getattr(settings, "PGSCHEMAS_ROUTING_CHECK_SECONDS", 0.5))


def routing_related() -> tuple[str, ...]:
    """Foreign keys of the tenant model loaded with it by the host map (``select_related``),
    so that a request reads them without a query; a write to their tables makes every process
    load its tenants again (a trigger, see pgschemas/routing/changes.py)."""
    return tuple(getattr(settings, "PGSCHEMAS_ROUTING_RELATED", ()))


def routing_tenants_held() -> int:
    """How many tenants (model instances) each process keeps for the hosts it serves, the most
    recently served; the others are loaded again by id (one query) when a request needs them."""
    return max(int(getattr(settings, "PGSCHEMAS_ROUTING_TENANTS_HELD", 5_000)), 1)


def migrate_batch() -> int:
    """How many tenant schemas ``migrateschema`` migrates per transaction (each in a savepoint).
    Each holds its tables' locks until the batch commits: keep it well under PostgreSQL's lock
    table (``max_locks_per_transaction`` x connections) divided by the tables a migration
    touches and the ``--jobs``."""
    return max(int(getattr(settings, "PGSCHEMAS_MIGRATE_BATCH", 10)), 1)


def session_search_path() -> bool:
    """Set the search path on the server session (direct connections only) rather than in
    every transaction."""
    return bool(getattr(settings, "PGSCHEMAS_SESSION_SEARCH_PATH", False))


def spare_schemas() -> int:
    """How many migrated spare schemas to keep ready for new tenants."""
    return int(getattr(settings, "PGSCHEMAS_SPARE_SCHEMAS", 0))


def spare_refill_threads() -> int:
    """Connections that refill the spare pool at once."""
    return max(int(getattr(settings, "PGSCHEMAS_SPARE_REFILL_THREADS", 2)), 1)


def citus_enabled() -> bool:
    """Tenants are distributed schemas of a Citus cluster."""
    return bool(getattr(settings, "PGSCHEMAS_CITUS", False))


def resolver_paths() -> tuple[str, ...]:
    """The resolvers that turn a request into a route, tried in order (the first match wins)."""
    return tuple(getattr(settings, "PGSCHEMAS_RESOLVERS", DEFAULT_RESOLVERS))


def pg_bin_dir() -> str:
    """Where pg_dump, pg_restore and psql are; empty: found on ``PATH``."""
    return str(getattr(settings, "PGSCHEMAS_PG_BIN_DIR", "") or "")


def status_contact() -> str:
    """Whom the page of a suspended or deleted workspace tells its visitors to contact."""
    return str(getattr(settings, "PGSCHEMAS_STATUS_CONTACT", ""))


def maintenance_retry_after() -> int:
    """Seconds a workspace under maintenance tells clients to wait (``Retry-After``)."""
    return int(getattr(settings, "PGSCHEMAS_MAINTENANCE_RETRY_AFTER", 300))


def maintenance_bypass_seconds() -> int:
    """How long an operator's maintenance bypass link (and its cookie) stays valid."""
    return int(getattr(settings, "PGSCHEMAS_MAINTENANCE_BYPASS_SECONDS", 3600))


def suspended_serves() -> str:
    """Dotted path of a callable ``(request, tenant) -> bool`` naming the requests a suspended
    tenant still serves (its owners paying, say); empty: none."""
    return str(getattr(settings, "PGSCHEMAS_SUSPENDED_SERVES", ""))


def deletion_retention_days() -> int:
    """Days a deleted tenant's data is kept (pending deletion) before it may be purged."""
    return int(getattr(settings, "PGSCHEMAS_DELETION_RETENTION_DAYS", 30))


def purge_export() -> str:
    """Dotted path of a callable given each workspace before it is purged (e.g. to archive it);
    empty: none."""
    return str(getattr(settings, "PGSCHEMAS_PURGE_EXPORT", ""))


def old_domain_redirect_days() -> int:
    """Days a renamed tenant's former domain redirects to the new one (and stays reserved)."""
    return int(getattr(settings, "PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS", 90))

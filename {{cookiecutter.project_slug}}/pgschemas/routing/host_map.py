"""Every dynamic tenant's domains, in each process's memory, kept in step with the database.

A dict of every domain to its tenant, loaded in one query. Before serving a request, a process
checks at most every ``PGSCHEMAS_ROUTING_CHECK_SECONDS`` (default 0.5) whether the domain or
tenant tables changed since it loaded the map, with one cheap query: the row counts, and the sum
and maximum of the rows' ``xmin`` (the id of the transaction that wrote each row version). Any
insert, update or delete of a committed row changes them, whatever wrote it: ``save()``,
``QuerySet.update()``, bulk deletes, raw SQL, another server. So every process serves the new
routing within that interval, with no shared cache.

A host missing from the map is looked up once by itself (an indexed query), so a customer who
has just signed up is served at once by every process; a host found nowhere is remembered as
unknown until the map changes, so repeated requests for it cost no query.

``PGSCHEMAS_ROUTING_RELATED`` names foreign keys of the tenant model loaded with it (the
product's plan): a request reads them from the map, and their table joins the change check.

A domain with ``redirect_until`` (a workspace's former domain after a rename) is held in
``redirects``: the tenant's primary domain and until when the old one redirects there.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from .. import app_settings
from ..config import PUBLIC, get_domain_model, get_tenant_model
from ..schema import Schema

MAX_UNKNOWN_HOSTS = 10_000  # remembered misses per process, so that random hosts cannot grow it


@dataclass(frozen=True)
class Redirect:
    """A former domain: requests for it are sent to ``to`` until ``until``."""

    to: str
    until: datetime


@dataclass
class HostMap:
    domains: dict[str, Schema] = field(default_factory=dict)
    redirects: dict[str, Redirect] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    signature: tuple[object, ...] | None = None
    checked_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tenant_for(self, domain: str) -> Schema | None:
        if time.monotonic() - self.checked_at >= app_settings.routing_check_seconds():
            self.refresh()
        found = self.domains.get(domain)
        if found is None and domain not in self.unknown:
            found, redirect = _lookup_domain(domain)
            if found is not None:
                self.domains[domain] = found
            if redirect is not None:
                self.redirects[domain] = redirect
            elif len(self.unknown) < MAX_UNKNOWN_HOSTS:
                self.unknown.add(domain)
        return found

    def redirect_for(self, domain: str) -> Redirect | None:
        """Where a former domain redirects (after ``tenant_for`` has checked for changes)."""
        return self.redirects.get(domain)

    def expire(self) -> None:
        """Check the database again before the next lookup in this process."""
        self.checked_at = float("-inf")

    def refresh(self) -> None:
        """Reload the map if the tables changed since it was loaded (one thread at a time)."""
        with self.lock:
            if time.monotonic() - self.checked_at < app_settings.routing_check_seconds():
                return  # another thread just did
            signature = _routing_signature()
            if signature != self.signature:
                self.domains, self.redirects = _load_domains()
                self.unknown = set()
                self.signature = signature
            self.checked_at = time.monotonic()


def _routing_models() -> list[type[Model]]:
    """The tables the host map reads: domains, tenants, and the tenant's ``routing_related``."""
    tenant_model = get_tenant_model()
    related = [
        tenant_model._meta.get_field(name).related_model for name in app_settings.routing_related()
    ]
    return [get_domain_model(), tenant_model, *(model for model in related if model)]


def _with_tenant() -> QuerySet[Any]:
    related = [f"tenant__{name}" for name in app_settings.routing_related()]
    return get_domain_model()._default_manager.select_related("tenant", *related)


def _routing_signature() -> tuple[object, ...]:
    tables = [model._meta.db_table for model in _routing_models()]
    quoted = [connection.ops.quote_name(table) for table in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                "(SELECT (count(*), sum(xmin::text::bigint), max(xmin::text::bigint))::text "
                f"FROM {PUBLIC}.{table})"
                for table in quoted
            )
        )
        return tuple(cursor.fetchone())


def _load_domains() -> tuple[dict[str, Schema], dict[str, Redirect]]:
    # One plain query (no server-side cursor, which a transaction pooler cannot carry).
    rows = list(_with_tenant())
    primary = {row.tenant_id: row.domain for row in rows if row.is_primary}
    redirects = {
        row.domain: Redirect(primary[row.tenant_id], row.redirect_until)
        for row in rows
        if row.redirect_until is not None and row.tenant_id in primary
    }
    return {row.domain: row.tenant for row in rows}, redirects


def _lookup_domain(domain: str) -> tuple[Schema | None, Redirect | None]:
    domains = get_domain_model()._default_manager
    row = _with_tenant().filter(domain=domain).first()
    if row is None:
        return None, None
    if row.redirect_until is None:
        return row.tenant, None
    to = domains.filter(tenant_id=row.tenant_id, is_primary=True).values_list("domain", flat=True)
    return row.tenant, Redirect(to[0], row.redirect_until) if to else None


_host_map = HostMap()


def host_map() -> HostMap:
    return _host_map


def routing_changed(**kwargs: Any) -> None:
    """A tenant or domain changed in this process: check the host map before the next request
    here, and again once the transaction has committed. Other processes notice it by themselves
    within the host map's check interval."""
    host_map().expire()
    transaction.on_commit(host_map().expire)


def connect() -> None:
    """Check again whenever a tenant or one of its domains is saved or deleted in this process.

    Other processes, and changes that send no signal (``QuerySet.update()``, raw SQL), are caught
    by the host map's own check.
    """
    for signal in (post_save, post_delete):
        for model in _routing_models():
            signal.connect(routing_changed, sender=model)

"""Which tenant serves a host, in each process's memory, kept in step with the database.

The map is compact and filled as hosts are asked for: a host seen for the first time costs one
indexed query (its domain row with its tenant), then none until it changes; a host found nowhere
is remembered as unknown, so repeated requests for it cost no query either. Each host holds only
its tenant's id; the tenant itself (a model instance, with ``PGSCHEMAS_ROUTING_RELATED``, the
product's plan, loaded with it) is kept for the ``PGSCHEMAS_ROUTING_TENANTS_HELD`` tenants served
most recently and loaded again by id (one query) when a request needs one that is not held. A fresh
process answers its first request after that one lookup; nothing is loaded in bulk.

Before serving a request, a process reads the routing change log (pgschemas.routing.changes) at
most every ``PGSCHEMAS_ROUTING_CHECK_SECONDS`` (default 0.5): one indexed query, whatever the
number of tenants, that returns the domains and tenants changed since it last read. They are
forgotten, and asked for again when a request needs them. Triggers write the log, so any write
counts: ``save()``, ``QuerySet.update()``, bulk deletes, raw SQL, another server. A process that
cannot tell what it missed (the log was pruned past its last read, or too much changed at once)
forgets everything (``resets`` counts it) and fills again as hosts are asked for.

A domain with ``redirect_until`` (a workspace's former domain after a rename) is held in
``redirects``: the tenant's primary domain and until when the old one redirects there.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from .. import app_settings
from ..config import get_domain_model, get_tenant_model
from ..schema import Schema
from .changes import read_changes

MAX_UNKNOWN_HOSTS = 10_000  # remembered misses per process, so that random hosts cannot grow it


@dataclass(frozen=True)
class Redirect:
    """A former domain: requests for it are sent to ``to`` until ``until``."""

    to: str
    until: datetime


@dataclass
class HostMap:
    hosts: dict[str, int] = field(default_factory=dict)  # host -> tenant id
    redirects: dict[str, Redirect] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    tenants: OrderedDict[int, Schema] = field(default_factory=OrderedDict)  # most recent last
    watermark: int | None = None  # changes from this transaction on are not read yet
    seen: dict[int, int] = field(default_factory=dict)  # changes read that will be read again
    epoch: int = 0  # advanced by every refresh that forgot something
    resets: int = 0  # times everything was forgotten
    checked_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tenant_for(self, domain: str) -> Schema | None:
        if time.monotonic() - self.checked_at >= app_settings.routing_check_seconds():
            self.refresh()
        tenant_id = self.hosts.get(domain)
        if tenant_id is not None:
            return self._tenant(tenant_id)
        if domain in self.unknown:
            return None
        epoch = self.epoch
        found, redirect = _lookup_domain(domain)
        with self.lock:
            if epoch != self.epoch:  # a change was read meanwhile: what was found may be older
                return found
            if found is None:
                if len(self.unknown) < MAX_UNKNOWN_HOSTS:
                    self.unknown.add(domain)
                return None
            self.hosts[domain] = self._hold(found)
            if redirect is not None:
                self.redirects[domain] = redirect
        return found

    def redirect_for(self, domain: str) -> Redirect | None:
        """Where a former domain redirects (after ``tenant_for`` has checked for changes)."""
        return self.redirects.get(domain)

    def expire(self) -> None:
        """Check the database again before the next lookup in this process."""
        self.checked_at = float("-inf")

    def forget(self) -> None:
        """Forget every host and tenant (they are looked up again as requests ask for them), and
        read the change log before the next lookup."""
        with self.lock:
            self._forget_all()
        self.expire()

    def refresh(self) -> None:
        """Forget what changed since the last read of the change log (one thread at a time)."""
        with self.lock:
            if time.monotonic() - self.checked_at < app_settings.routing_check_seconds():
                return  # another thread just did
            batch = read_changes(self.watermark, self.seen)
            if not batch.complete:
                self._forget_all()
                self.resets += 1
            elif batch.domains or batch.tenants or batch.every_tenant:
                for domain in batch.domains:
                    self.hosts.pop(domain, None)
                    self.redirects.pop(domain, None)
                    self.unknown.discard(domain)
                for domain in [d for d, r in self.redirects.items() if r.to in batch.domains]:
                    del self.redirects[domain]  # it redirected to a primary domain that changed
                if batch.every_tenant:
                    self.tenants.clear()
                for tenant_id in batch.tenants:
                    self.tenants.pop(tenant_id, None)
                self.epoch += 1
            self.watermark, self.seen = batch.watermark, batch.seen
            self.checked_at = time.monotonic()

    def _forget_all(self) -> None:
        self.hosts, self.redirects, self.unknown = {}, {}, set()
        self.tenants = OrderedDict()
        self.epoch += 1

    def _tenant(self, tenant_id: int) -> Schema | None:
        with self.lock:
            tenant = self.tenants.get(tenant_id)
            if tenant is not None:
                self.tenants.move_to_end(tenant_id)
                return tenant
            epoch = self.epoch
        tenant = _tenants().filter(pk=tenant_id).first()
        with self.lock:
            if tenant is not None and epoch == self.epoch:
                self._hold(tenant)
        return tenant

    def _hold(self, tenant: Schema) -> int:
        """Keep ``tenant`` as the most recently served (called with the lock held); its id."""
        assert isinstance(tenant, Model)
        self.tenants[tenant.pk] = tenant
        self.tenants.move_to_end(tenant.pk)
        while len(self.tenants) > app_settings.routing_tenants_held():
            self.tenants.popitem(last=False)
        return int(tenant.pk)


def _routing_models() -> list[type[Model]]:
    """The tables the host map reads: domains, tenants, and the tenant's ``routing_related``."""
    tenant_model = get_tenant_model()
    related = [
        tenant_model._meta.get_field(name).related_model for name in app_settings.routing_related()
    ]
    return [get_domain_model(), tenant_model, *(model for model in related if model)]


def _tenants() -> QuerySet[Any]:
    return get_tenant_model()._default_manager.select_related(*app_settings.routing_related())


def _lookup_domain(domain: str) -> tuple[Schema | None, Redirect | None]:
    related = [f"tenant__{name}" for name in app_settings.routing_related()]
    domains = get_domain_model()._default_manager
    row = domains.select_related("tenant", *related).filter(domain=domain).first()
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

"""A workspace's custom domains in its archive: what exporttenant writes of them and how
importtenant brings them back as a new tenant's (docs/operations.md, docs/domains.md).

Every restored domain is **pending**, whatever its state when archived: the archive says nothing
of the DNS since (the name may have changed hands), so no restored host is served before a
check finds its token in the TXT record again. The token is kept, so a record still published
counts at the next periodic check. A name another workspace holds now (a CustomDomain or Domain
row), or that may no longer be claimed, is skipped with the reason. ``--replace`` does not use
this: the live workspace keeps its custom domains as they are, checked against today's DNS.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .custom_domains import DomainRefused, clean_host
from .models import Client, CustomDomain, Domain

TIMES = ("created_at", "pending_since", "verified_at", "checked_at", "missing_since")


@dataclass(frozen=True)
class Skipped:
    domain: str
    reason: str


@dataclass
class RestoredDomains:
    restored: list[str] = field(default_factory=list)  # pending, to be verified again
    skipped: list[Skipped] = field(default_factory=list)
    was_primary: str | None = None  # restored, but not primary until verified and chosen again


def archived_custom_domains(client: Client) -> list[dict[str, Any]]:
    """``client``'s custom domains as the manifest holds them: name, state, token, whether it is
    the primary domain, and when it was added, pending since, verified, checked, missing since."""
    primary = set(client.domains.filter(is_primary=True).values_list("domain", flat=True))
    return [
        {
            "domain": custom.domain,
            "status": custom.status,
            "token": custom.token,
            "is_primary": custom.domain in primary,
            **{name: _iso(getattr(custom, name)) for name in TIMES},
        }
        for custom in client.custom_domains.order_by("domain")
    ]


def restore_custom_domains(client: Client, archived: list[dict[str, Any]]) -> RestoredDomains:
    """``archived`` (the manifest's rows) as ``client``'s custom domains, each pending from now
    (``PENDING_DAYS`` to be verified again), none served; run in the import's transaction."""
    outcome = RestoredDomains()
    now = timezone.now()
    for row in archived:
        name = row["domain"]
        reason = _why_not_restored(name, client)
        if reason is None:
            try:
                with transaction.atomic():
                    custom = CustomDomain.objects.create(
                        tenant=client,
                        domain=name,
                        token=row["token"],
                        pending_since=now,
                        verified_at=_time(row["verified_at"]),
                    )
                    # created_at is set on insert (auto_now_add): the archived one goes after.
                    CustomDomain.objects.filter(pk=custom.pk).update(
                        created_at=_time(row["created_at"])
                    )
            except IntegrityError:
                reason = "another workspace added it during the import"
        if reason is not None:
            outcome.skipped.append(Skipped(name, reason))
            continue
        outcome.restored.append(name)
        if row["is_primary"]:
            outcome.was_primary = name
    return outcome


def _why_not_restored(name: str, client: Client) -> str | None:
    try:
        clean_host(name)
    except DomainRefused as refused:
        return str(refused)
    holder = CustomDomain.objects.filter(domain=name).select_related("tenant").first()
    if holder is not None:
        return f"it is a custom domain of the workspace {holder.tenant.schema_name!r}"
    served = Domain.objects.filter(domain=name).select_related("tenant").first()
    if served is not None and served.tenant_id == client.pk:
        return "it is the domain this import was given"
    if served is not None:
        return f"it is a domain of the workspace {served.tenant.schema_name!r}"
    return None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)

"""A workspace at its customer's own host name: who may claim one, how it is proved, and when it
is served (docs/domains.md).

States of a ``CustomDomain`` and what moves it:

- **pending** (added by an owner): not served. A check that finds the TXT record
  ``<CUSTOM_DOMAIN_TXT_PREFIX>.<host>`` holding its token makes it verified; still pending
  ``PENDING_DAYS`` after it was added, it is deleted (the name is free again).
- **verified**: served: it has a Domain row, so the host map routes it. Checked again daily; a
  check that does not find the record makes it failing.
- **failing**: still served while the record has been missing less than ``MISSING_DAYS``; a check
  that finds it again makes it verified; after that, it stops being served (its Domain row is
  deleted, the owners are told by e-mail) and it is pending again, with a new ``PENDING_DAYS``.

A DNS server that does not answer changes no state: the error is kept for the page.

An owner may make a verified domain the workspace's primary one: links go there, and the
workspace's sub-domain answers 301 to it (the host map's redirect, held open by ``PERMANENT``)
until the sub-domain is made primary again or the custom domain stops being served.
"""

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pgschemas.config import get_tenants_config
from pgschemas.names import HOST_NAME_PATTERN
from users.models import User

from .models import Client, CustomDomain, Domain

PENDING_DAYS = 7  # a pending domain not verified by then is deleted
MAX_PENDING = 5  # pending domains a workspace may hold at once: claims cannot pile up
MISSING_DAYS = 7  # a verified domain whose record has been missing this long is not served
RECHECK_EVERY = timedelta(days=1)  # verified and failing domains
# The redirect_until of the workspace's sub-domain while a custom domain is primary.
PERMANENT = datetime(9999, 12, 31, tzinfo=UTC)
DNS_TIMEOUT = 5.0  # seconds, for one check of one record
TENANT_URLCONF = "tenant_app.urls"


class DomainRefused(Exception):
    """The host name cannot be added, or the action cannot be done; the message says why."""


class DnsUnavailable(Exception):
    """No DNS server answered the question (timeout, refusal): nothing is known either way."""


def txt_record_name(domain: str) -> str:
    return f"{settings.CUSTOM_DOMAIN_TXT_PREFIX}.{domain}"


def own_suffixes() -> set[str]:
    """The product's own domains: neither they nor their sub-domains can be custom domains."""
    static = get_tenants_config().static_by_domain
    return {settings.DOMAIN_NAME, settings.TENANT_DOMAIN_SUFFIX, *static}


def clean_host(text: str) -> str:
    """``text`` as a host name a workspace may claim, or DomainRefused saying why not."""
    host = text.strip().lower().rstrip(".")
    if host.startswith(("http://", "https://")):
        host = host.split("://", 1)[1].split("/", 1)[0]
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise DomainRefused("Enter a host name, not an IP address.")
    if not HOST_NAME_PATTERN.fullmatch(host) or "." not in host:
        raise DomainRefused(
            f"“{text.strip()}” is not a host name: enter one like projects.example.com "
            "(letters, digits and hyphens, no scheme, port or path)."
        )
    if any(host == own or host.endswith(f".{own}") for own in own_suffixes()):
        raise DomainRefused(
            f"{host} belongs to this service: add a domain of your own, or change the workspace's "
            "sub-domain instead."
        )
    return host


def add(tenant: Client, text: str) -> CustomDomain:
    """Claim a host name for ``tenant``, pending until its TXT record is found."""
    host = clean_host(text)
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=tenant.pk)  # one claim at a time per workspace
        if CustomDomain.objects.filter(domain=host).exists():
            raise DomainRefused(f"{host} has already been added by a workspace.")
        pending = CustomDomain.objects.filter(tenant=tenant, status=CustomDomain.Status.PENDING)
        if pending.count() >= MAX_PENDING:
            raise DomainRefused(
                f"This workspace has {MAX_PENDING} domains waiting for their DNS record: verify "
                "or remove one of them first."
            )
        served = Domain.objects.filter(domain=host).first()
        if served is not None and served.redirect_until is not None:
            raise DomainRefused(
                f"{host} is reserved until {served.redirect_until:%Y-%m-%d}: it is a renamed "
                "workspace's former address."
            )
        if served is not None:
            raise DomainRefused(f"{host} is already used by a workspace.")
        try:
            with transaction.atomic():
                return CustomDomain.objects.create(
                    tenant=tenant, domain=host, token=secrets.token_urlsafe(24)
                )
        except IntegrityError as error:  # another workspace added it a moment ago
            raise DomainRefused(f"{host} has already been added by a workspace.") from error


def remove(custom: CustomDomain) -> None:
    """Stop serving ``custom`` (if it was) and free the name."""
    with transaction.atomic():
        _stop_serving(custom)
        custom.delete()


def make_primary(custom: CustomDomain) -> None:
    """Serve the workspace primarily at ``custom``: its sub-domain answers 301 there."""
    if custom.status == CustomDomain.Status.PENDING:
        raise DomainRefused(
            f"{custom.domain} is not verified yet: it cannot be the primary domain."
        )
    with transaction.atomic():
        tenant = Client.objects.select_for_update().get(pk=custom.tenant_id)
        current = tenant.domains.filter(is_primary=True).first()
        target = tenant.domains.get(domain=custom.domain)
        if current is not None and current.pk == target.pk:
            raise DomainRefused(f"{custom.domain} is already the primary domain.")
        if current is not None and not _is_custom(current):
            current.redirect_until = PERMANENT
        if current is not None:
            current.is_primary = False
            current.save()
        target.is_primary = True
        target.save()


def make_subdomain_primary(tenant: Client) -> None:
    """Serve the workspace primarily at its sub-domain again (custom domains keep serving)."""
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=tenant.pk)
        subdomain = tenant.domains.filter(redirect_until=PERMANENT).first()
        if subdomain is None:
            raise DomainRefused("The workspace's sub-domain is already its primary domain.")
        subdomain.is_primary, subdomain.redirect_until = True, None
        subdomain.save()


def _is_custom(domain: Domain) -> bool:
    return CustomDomain.objects.filter(domain=domain.domain).exists()


def _serve(custom: CustomDomain) -> None:
    Domain.objects.get_or_create(domain=custom.domain, defaults={"tenant_id": custom.tenant_id})


def _stop_serving(custom: CustomDomain) -> None:
    """Delete ``custom``'s Domain row; if it was primary, the sub-domain is primary again."""
    served = Domain.objects.filter(domain=custom.domain, tenant_id=custom.tenant_id).first()
    if served is None:
        return
    was_primary = served.is_primary
    served.delete()
    if was_primary:
        Domain.objects.filter(tenant_id=custom.tenant_id, redirect_until=PERMANENT).update(
            is_primary=True, redirect_until=None
        )


def resolver() -> dns.resolver.Resolver:
    """A resolver asking ``CUSTOM_DOMAIN_RESOLVERS`` ("host" or "host:port"), else the system's."""
    servers = settings.CUSTOM_DOMAIN_RESOLVERS
    if not servers:
        found = dns.resolver.Resolver()
    else:
        found = dns.resolver.Resolver(configure=False)
        found.nameservers = [_nameserver(server) for server in servers]
    found.lifetime = DNS_TIMEOUT
    return found


def _nameserver(server: str) -> dns.nameserver.Do53Nameserver:
    host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
    return dns.nameserver.Do53Nameserver(host or server, int(port) if port else 53)


def txt_values(name: str) -> set[str]:
    """The TXT strings published at ``name`` (empty when there are none); DnsUnavailable when no
    server answered."""
    try:
        answer = resolver().resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return set()
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        raise DnsUnavailable(f"No DNS server answered for {name}: {error}") from error
    return {b"".join(record.strings).decode(errors="replace") for record in answer}


@dataclass(frozen=True)
class Outcome:
    custom: CustomDomain
    found: bool | None  # None: DNS did not answer
    stopped: bool = False  # no longer served after this check


def check(custom: CustomDomain) -> Outcome:
    """Look for ``custom``'s TXT record now and move it between states (module docstring)."""
    now = timezone.now()
    name = txt_record_name(custom.domain)
    try:
        values = txt_values(name)
    except DnsUnavailable as error:
        custom.checked_at, custom.last_error = now, str(error)[:300]
        custom.save(update_fields=["checked_at", "last_error"])
        return Outcome(custom, None)
    found = custom.token in values
    with transaction.atomic():
        custom.checked_at = now
        if found:
            custom.last_error = ""
            if custom.status != CustomDomain.Status.VERIFIED:
                custom.verified_at = custom.verified_at or now
            custom.status, custom.missing_since = CustomDomain.Status.VERIFIED, None
            _serve(custom)
            custom.save()
            return Outcome(custom, True)
        custom.last_error = (
            f"The TXT record at {name} does not hold this domain's token."
            if values
            else f"No TXT record found at {name}."
        )
        stopped = False
        if custom.status == CustomDomain.Status.VERIFIED:
            custom.status, custom.missing_since = CustomDomain.Status.FAILING, now
        elif custom.status == CustomDomain.Status.FAILING and custom.missing_since is not None:
            if now - custom.missing_since >= timedelta(days=MISSING_DAYS):
                _stop_serving(custom)
                custom.status, custom.missing_since = CustomDomain.Status.PENDING, None
                custom.pending_since = now
                stopped = True
        custom.save()
    if stopped:
        tell_owners_not_served(custom)
    return Outcome(custom, False, stopped)


def tell_owners_not_served(custom: CustomDomain) -> None:
    tenant = custom.tenant
    with tenant:
        owners = list(
            User.objects.filter(role=User.Role.OWNER, is_active=True).values_list(
                "email", flat=True
            )
        )
    send_mail(
        f"{custom.domain} no longer serves {tenant.name}",
        f"The DNS record {txt_record_name(custom.domain)} of {custom.domain} has been missing "
        f"for {MISSING_DAYS} days, so {tenant.name} is no longer served there. Publish the record "
        f"again within {PENDING_DAYS} days to get it back: the workspace's settings show it.\n\n"
        f"{tenant.url(reverse('custom_domains', urlconf=TENANT_URLCONF))}\n",
        None,
        owners,
    )


def expire_pending() -> int:
    """Delete pending domains not verified within ``PENDING_DAYS``: the names are free again."""
    cutoff = timezone.now() - timedelta(days=PENDING_DAYS)
    stale = CustomDomain.objects.filter(
        status=CustomDomain.Status.PENDING, pending_since__lte=cutoff
    )
    return stale.delete()[0]


def check_due() -> list[Outcome]:
    """The periodic check: expire stale pending domains, check every pending one, and the
    verified and failing ones not checked for ``RECHECK_EVERY``."""
    expire_pending()
    recheck_before = timezone.now() - RECHECK_EVERY
    due = CustomDomain.objects.select_related("tenant").filter(
        Q(status=CustomDomain.Status.PENDING)
        | Q(checked_at__isnull=True)
        | Q(checked_at__lte=recheck_before)
    )
    return [check(custom) for custom in due]

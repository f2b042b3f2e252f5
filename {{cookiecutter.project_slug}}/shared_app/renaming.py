"""A workspace takes a new sub-domain: the new primary domain is served at once, the former one
redirects there (301, same path) for ``PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS`` and stays taken for
sign-ups meanwhile; then ``forget_expired_redirects`` frees it. The schema name never changes.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from main_app.signup import SubdomainUnavailable, check_subdomain, workspace_domain
from pgschemas import app_settings
from pgschemas.names import check_domain

from .custom_domains import PERMANENT
from .lifecycle import ActionRefused, clean_reason, record
from .models import Client, Domain, OperatorAction


def rename(tenant: Client, subdomain: str, *, by: str, reason: str) -> OperatorAction:
    """Serve ``tenant`` at ``<subdomain>.TENANT_DOMAIN_SUFFIX``; raises ActionRefused (with the
    sign-up's message for a sub-domain that is invalid, reserved or taken)."""
    reason = clean_reason(reason)
    subdomain = subdomain.strip().lower()
    new_domain = workspace_domain(subdomain)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=tenant.pk)
        if locked.domains.filter(redirect_until=PERMANENT).exists():
            raise ActionRefused(
                f"{locked.name} is served primarily at a custom domain: make its sub-domain "
                "primary again (Settings, Custom domains) before changing it."
            )
        current = locked.domains.filter(is_primary=True).first()
        if current is not None and current.domain == new_domain:
            raise ActionRefused(f"{locked.name} is already served at {new_domain}.")
        own = locked.domains.filter(domain=new_domain).first()  # e.g. its own former domain
        if own is None:
            _check_free(locked, subdomain)
        until = timezone.now() + timedelta(days=app_settings.old_domain_redirect_days())
        if current is not None:
            current.is_primary, current.redirect_until = False, until
            current.save()
        if own is None:
            own = Domain(tenant=locked, domain=new_domain)
        own.is_primary, own.redirect_until = True, None
        own.save()
        return record(
            locked,
            "rename",
            by=by,
            reason=reason,
            to=new_domain,
            **({"from": current.domain, "redirect_until": until.isoformat()} if current else {}),
        )


def _check_free(tenant: Client, subdomain: str) -> None:
    """The sign-up's rules, except that the workspace's own schema name is not taken by it."""
    new_domain = workspace_domain(subdomain)
    if subdomain == tenant.schema_name and not Domain.objects.filter(domain=new_domain).exists():
        try:
            check_domain(new_domain)
        except ValidationError as error:
            raise ActionRefused(f"“{subdomain}” cannot be a sub-domain.") from error
        return
    try:
        check_subdomain(subdomain)
    except SubdomainUnavailable as error:
        raise ActionRefused(str(error)) from error


def forget_expired_redirects() -> int:
    """Remove former domains past their redirect period: free for sign-ups again."""
    expired = Domain.objects.filter(redirect_until__lte=timezone.now(), is_primary=False)
    return expired.delete()[0]

"""Periodic work on the workspaces, run by beat in public (CELERY_BEAT_SCHEDULE)."""

from pathlib import Path

from django.conf import settings

from config.celery_app import app

from .custom_domains import check_due
from .models import Client
from .purge import purge_due_tenants
from .renaming import forget_expired_redirects
from .stats import gather_stats
from .tenant_export import archive_before_purge
from .tenant_import import replace_tenant


@app.task(name="shared_app.purge_tenants")
def purge_tenants() -> list[str]:
    """Erase the workspaces whose retention has ended; their schema names."""
    return purge_due_tenants()


@app.task(name="shared_app.forget_expired_redirects")
def forget_old_domains() -> int:
    """Free the former domains of renamed workspaces whose redirect period has ended."""
    return forget_expired_redirects()


@app.task(name="shared_app.gather_stats")
def gather_tenant_stats() -> int:
    """Refresh the figures the operator console lists (members, size, last activity)."""
    return gather_stats()


@app.task(name="shared_app.archive_tenant")
def archive_tenant(schema_name: str) -> str:
    """Write the workspace's archive into TENANT_ARCHIVES_DIR (the console's export)."""
    return archive_before_purge(Client.objects.get(schema_name=schema_name)).name


@app.task(name="shared_app.restore_archive")
def restore_archive(schema_name: str, archive_name: str) -> str:
    """Put the workspace back as it was in one of its archives, in place (importtenant
    --replace); the replaced schema is kept, renamed."""
    return replace_tenant(
        Path(settings.TENANT_ARCHIVES_DIR) / archive_name, schema_name=schema_name
    )


@app.task(name="shared_app.check_custom_domains")
def check_custom_domains() -> int:
    """Look up custom domains' DNS records (shared_app.custom_domains.check_due); how many."""
    return len(check_due())

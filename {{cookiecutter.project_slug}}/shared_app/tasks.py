"""Periodic work on the workspaces, run by beat in public (CELERY_BEAT_SCHEDULE)."""

from config.celery_app import app

from .purge import purge_due_tenants
from .renaming import forget_expired_redirects
from .stats import gather_stats


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

"""Erasing workspaces whose retention has ended (pending deletion, purge date passed): their
schema, media files and rows in public. ``manage.py purgetenants`` and the beat task
``shared_app.purge_tenants`` call ``purge_due_tenants``.

Before a workspace is erased, the callable named by ``PGSCHEMAS_PURGE_EXPORT`` (if any) is
called with it, e.g. to archive it; when it raises, that workspace is kept and the purge goes on
with the next one.
"""

import logging
import os
import shutil
from datetime import datetime

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from pgschemas import app_settings
from pgschemas.fleet.provisioning import drop_schema
from pgschemas.states import Status

from .lifecycle import record
from .models import Client

logger = logging.getLogger(__name__)
PURGED_BY = "purgetenants"


def due_for_purge(now: datetime | None = None) -> QuerySet[Client]:
    return Client.objects.filter(
        status=Status.PENDING_DELETION, purge_after__lte=now or timezone.now()
    ).order_by("purge_after", "pk")


def purge_due_tenants(now: datetime | None = None) -> list[str]:
    """Erase every workspace due; the schema names of those erased."""
    purged = []
    for tenant in due_for_purge(now):
        try:
            if purge_tenant(tenant, now):
                purged.append(tenant.schema_name)
        except Exception:
            logger.exception("Purging the workspace %r failed: it is kept", tenant.schema_name)
    return purged


def purge_tenant(tenant: Client, now: datetime | None = None) -> bool:
    """Erase one workspace if it is still due (a deletion cancelled meanwhile keeps it)."""
    with transaction.atomic():
        if not due_for_purge(now).select_for_update().filter(pk=tenant.pk).exists():
            return False
        export_path = app_settings.purge_export()
        if export_path:
            import_string(export_path)(tenant)
        with tenant:
            delete_media(default_storage)
        record(
            tenant,
            "purge",
            by=PURGED_BY,
            reason=f"Retention ended on {tenant.purge_after:%Y-%m-%d}.",
        )
        tenant.delete()  # its domains and index rows go with it; the records stay
        drop_schema(tenant.schema_name)
    logger.info("Purged the workspace %r", tenant.schema_name)
    return True


def delete_media(storage: Storage) -> None:
    """Every media file of the active workspace."""
    if isinstance(storage, FileSystemStorage):
        if os.path.isdir(storage.location):
            shutil.rmtree(storage.location)
        return
    _delete_tree(storage, "")


def _delete_tree(storage: Storage, folder: str) -> None:
    folders, files = storage.listdir(folder)
    for name in files:
        storage.delete(f"{folder}{name}")
    for name in folders:
        _delete_tree(storage, f"{folder}{name}/")

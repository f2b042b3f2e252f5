"""Export and restore as operator actions (the console and the operator admin offer them with
the others): each is recorded with its reason, and runs in a task, being longer than a request.

Registered at start-up (``SharedAppConfig.ready``); the tasks, and with them Celery, are imported
when an action runs: at every process's start-up (each ``manage.py`` command, each web worker)
they would cost ~0.1 s.
"""

from django.conf import settings
from django.db import transaction

from pgschemas.states import Status

from .lifecycle import SERVED, Action, ActionRefused, record, register
from .models import Client, OperatorAction
from .tenant_export import newest_archive


def export(tenant: Client, *, by: str, reason: str) -> OperatorAction:
    """Archive the workspace into TENANT_ARCHIVES_DIR (exporttenant's archive)."""
    from .tasks import archive_tenant  # on first use: see the module's docstring

    with transaction.atomic():
        done = record(tenant, "export", by=by, reason=reason)
        transaction.on_commit(lambda: archive_tenant.delay(tenant.schema_name))
    return done


def restore(tenant: Client, *, by: str, reason: str) -> OperatorAction:
    """Put the workspace back as in its newest archive, in place (importtenant --replace)."""
    from .tasks import restore_archive  # on first use: see the module's docstring

    archive = newest_archive(tenant.schema_name)
    if archive is None:
        raise ActionRefused(
            f"There is no archive of {tenant.schema_name!r} in {settings.TENANT_ARCHIVES_DIR}: "
            "export it first, or restore a file with manage.py importtenant --replace."
        )
    with transaction.atomic():
        done = record(tenant, "restore", by=by, reason=reason, archive=archive.name)
        transaction.on_commit(lambda: restore_archive.delay(tenant.schema_name, archive.name))
    return done


def register_actions() -> None:
    register(Action("export", "Export to the archives", export, SERVED | {Status.PENDING_DELETION}))
    register(Action("restore", "Restore its newest archive", restore, SERVED))

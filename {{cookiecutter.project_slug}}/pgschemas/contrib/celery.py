"""Celery tasks run in the schema they were sent from, whatever the worker ran before.

Sending a task records the active schema in a message header; the worker activates that schema
before the task (``TenantTask``, the app's task class) and goes back to public after it, even when
the task fails. A task sent from a tenant that no longer exists fails with ``TenantGone``, never
runs in public. A task sent to a tenant that is not active (suspended, in maintenance, pending
deletion) is dropped with a log line, not run. A task sent without the header (e.g. by another
program) runs in public.
"""

import logging
from typing import Any

from celery import Task, current_app, shared_task
from celery.exceptions import Ignore
from celery.signals import before_task_publish, task_postrun

from ..config import get_tenant_model
from ..exceptions import SchemaNotFound, TenancyError
from ..lookup import schema_named
from ..schema import activate, deactivate, get_active_schema
from ..states import Status

logger = logging.getLogger(__name__)

SCHEMA_HEADER = "pgschemas_schema"


class TenantGone(TenancyError):
    """The tenant a task was sent from no longer exists: the task is refused."""


class TenantTask(Task):
    """Enters the schema a task was sent from before it runs: ``Celery(task_cls=...)``.

    In ``before_start``, not in a ``task_prerun`` receiver: Celery logs and ignores what a
    receiver raises and would run the task anyway, in public.
    """

    def before_start(self, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        name = getattr(self.request, SCHEMA_HEADER, None)
        if name is None:  # eager mode: the caller's schema is still active
            return
        deactivate()  # the tenant table is read in public
        try:
            schema = schema_named(name)
        except SchemaNotFound as error:
            raise TenantGone(
                f"The tenant {name!r} no longer exists: its task is refused."
            ) from error
        if schema.status != Status.ACTIVE:
            logger.warning(
                "Task %s (%s) dropped: the tenant %r is %s.",
                self.name,
                task_id,
                name,
                schema.status,
            )
            raise Ignore()
        activate(schema)


def connect_schema_signals() -> None:
    before_task_publish.connect(_record_schema, weak=False, dispatch_uid=SCHEMA_HEADER)
    task_postrun.connect(_leave_schema, weak=False, dispatch_uid=SCHEMA_HEADER)


@shared_task(name="pgschemas.run_in_every_tenant")
def run_in_every_tenant(task_name: str, *args: Any, **kwargs: Any) -> list[str]:
    """Send the task ``task_name`` once per active customer, in its schema; for periodic tasks
    (beat). Suspended tenants, those in maintenance and those pending deletion are skipped."""
    task = current_app.tasks[task_name]
    schema_names = []
    tenants = get_tenant_model()._default_manager.filter(status=Status.ACTIVE)
    for tenant in tenants.order_by("schema_name"):
        with tenant:
            task.delay(*args, **kwargs)
        schema_names.append(tenant.schema_name)
    return schema_names


def _record_schema(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None:
        headers.setdefault(SCHEMA_HEADER, get_active_schema().schema_name)


def _leave_schema(task: Task | None = None, **kwargs: Any) -> None:
    if task is not None and getattr(task.request, SCHEMA_HEADER, None) is not None:
        deactivate()

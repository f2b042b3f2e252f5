"""What an operator (or a workspace's owner) may do to a workspace's lifecycle, and the record of
it: each action checks the state it starts from, asks for a reason, and changes the state and
writes an OperatorAction in one transaction.

``ACTIONS`` lists every action by name, for the console and the operator admin to offer; add an
``Action`` there (``register``) to offer another (export and restore are added that way).
Routing enforces the new state in every process within the host map's check interval.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.db import transaction
from django.utils import timezone

from pgschemas import app_settings
from pgschemas.states import Status

from .models import Client, OperatorAction

MAX_REASON = 2000
MAX_ACTOR = 254  # "owner " + the longest e-mail address is cut, never refused by the database
STATUS_FIELDS = ("status", "status_changed_at", "status_changed_by", "status_reason", "purge_after")
SERVED = frozenset({Status.ACTIVE, Status.SUSPENDED, Status.MAINTENANCE})  # not yet deleted


class ActionRefused(Exception):
    """The action does not apply to the workspace as it is, or lacks a reason: the message says
    which."""


@dataclass(frozen=True)
class Action:
    """An operator action on one workspace: ``run(tenant, by=..., reason=...)``, plus the
    cleaned fields of ``form`` (a ReasonForm with more fields; None: the reason alone) as
    keyword arguments. The operator admin offers the actions without a form of their own."""

    name: str
    label: str
    run: Callable[..., OperatorAction]
    allowed_from: frozenset[str] = field(default_factory=frozenset)
    form: type[forms.Form] | None = None

    def applies_to(self, tenant: Client) -> bool:
        return not self.allowed_from or tenant.status in self.allowed_from


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    ACTIONS[action.name] = action
    return action


def clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ActionRefused("Give a reason: it is recorded with the action.")
    if len(reason) > MAX_REASON:
        raise ActionRefused(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def record(
    tenant: Client, action: str, *, by: str, reason: str, **details: object
) -> OperatorAction:
    """Write the record of an action (inside the caller's transaction)."""
    return OperatorAction.objects.create(
        tenant=tenant,
        schema_name=tenant.schema_name,
        action=action,
        actor=by[:MAX_ACTOR],
        reason=clean_reason(reason),
        details=details,
    )


def change_status(
    tenant: Client,
    action: str,
    to: Status,
    *,
    by: str,
    reason: str,
    allowed_from: frozenset[str],
    purge_after: datetime | None = None,
) -> OperatorAction:
    reason = clean_reason(reason)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=tenant.pk)
        if locked.status not in allowed_from:
            raise ActionRefused(
                f"{locked.name} is {locked.get_status_display().lower()}: "
                f"“{action.replace('_', ' ')}” does not apply."
            )
        before = locked.status
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked.status_changed_by = by[:MAX_ACTOR]
        locked.status_reason = reason
        locked.purge_after = purge_after
        locked.save(update_fields=[*STATUS_FIELDS])
        details: dict[str, object] = {"from": before, "to": str(to)}
        if purge_after is not None:
            details["purge_after"] = purge_after.isoformat()
        done = record(locked, action, by=by, reason=reason, **details)
    for name in STATUS_FIELDS:
        setattr(tenant, name, getattr(locked, name))
    return done


def _transition(
    name: str, label: str, to: Status, allowed_from: frozenset[str]
) -> Callable[..., OperatorAction]:
    def run(tenant: Client, *, by: str, reason: str) -> OperatorAction:
        return change_status(tenant, name, to, by=by, reason=reason, allowed_from=allowed_from)

    register(Action(name, label, run, allowed_from))
    return run


suspend = _transition(
    "suspend", "Suspend", Status.SUSPENDED, frozenset(SERVED - {Status.SUSPENDED})
)
resume = _transition("resume", "Resume", Status.ACTIVE, frozenset({Status.SUSPENDED}))
start_maintenance = _transition(
    "maintenance_on", "Start maintenance", Status.MAINTENANCE, frozenset({Status.ACTIVE})
)
end_maintenance = _transition(
    "maintenance_off", "End maintenance", Status.ACTIVE, frozenset({Status.MAINTENANCE})
)
cancel_deletion = _transition(
    "cancel_deletion", "Cancel deletion", Status.ACTIVE, frozenset({Status.PENDING_DELETION})
)


def purge_date(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=app_settings.deletion_retention_days())


def delete(tenant: Client, *, by: str, reason: str) -> OperatorAction:
    """Close the workspace: pending deletion until its purge date, when ``purgetenants`` erases
    it. Until then ``cancel_deletion`` brings it back as it was."""
    return change_status(
        tenant,
        "delete",
        Status.PENDING_DELETION,
        by=by,
        reason=reason,
        allowed_from=SERVED,
        purge_after=purge_date(),
    )


register(Action("delete", "Delete", delete, SERVED))

"""Support access: an operator on www opens a member's session in a workspace, for a limited
time and with a reason. Opening it writes the workspace's audit row (its owners see it) and the
operator action (public) in one transaction, and gives a signed, single-use link bound to the
workspace (tenant_app/tokens.py). The session ends at its time (the session expires then) or at
log-out; a banner on every page says who is acting. Owners can switch it off
(WorkspaceSecurity.allow_support_access)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import Client

from .models import AuditEvent, WorkspaceSecurity
from .tokens import InvalidToken, make_support_token, redeem_support_token

SESSION_KEY = "support_session"
MAX_MINUTES = 8 * 60


class SupportRefused(Exception):
    """Support access is off in this workspace, or the member or the reason is missing."""


@dataclass(frozen=True)
class SupportSession:
    operator: str
    reason: str
    until: datetime


def open_session(
    workspace: Client, *, member_email: str, operator: str, reason: str, duration: timedelta
) -> str:
    """Record the access and return the path, on the workspace, that starts it."""
    try:
        reason = lifecycle.clean_reason(reason)
    except lifecycle.ActionRefused as error:
        raise SupportRefused(str(error)) from error
    if not timedelta(0) < duration <= timedelta(minutes=MAX_MINUTES):
        raise SupportRefused(f"A support session lasts at most {MAX_MINUTES} minutes.")
    if workspace.status != Status.ACTIVE:
        raise SupportRefused(f"{workspace.name} is {workspace.get_status_display().lower()}.")
    until = timezone.now() + duration
    with transaction.atomic():
        with workspace:
            if not WorkspaceSecurity.load().allow_support_access:
                raise SupportRefused(f"The owners of {workspace.name} switched support off.")
            member = (
                get_user_model()
                .objects.filter(email__iexact=member_email.strip(), is_active=True)
                .first()
            )
            if member is None:
                raise SupportRefused(f"{workspace.name} has no active member {member_email}.")
            AuditEvent.objects.create(
                actor=f"Support: {operator}",
                action=AuditEvent.Action.SUPPORT_ACCESS,
                reason=reason,
                until=until,
                details={"as": member.email},
            )
        lifecycle.record(
            workspace,
            "support_access",
            by=operator,
            reason=reason,
            member=member.email,
            until=until.isoformat(),
        )
    session = {"user": member.pk, "operator": operator, "reason": reason, "until": until}
    return f"/support/{make_support_token(workspace, _serialisable(session))}/"


def _serialisable(session: dict[str, Any]) -> dict[str, Any]:
    return {**session, "until": session["until"].timestamp()}


def start_session(request: HttpRequest, token: str) -> SupportSession:
    """Log the operator in as the member, until the session's end."""
    payload = redeem_support_token(token, request.tenant)  # type: ignore[attr-defined]
    until = datetime.fromtimestamp(payload["until"], tz=timezone.get_current_timezone())
    if until <= timezone.now():
        raise InvalidToken("This support session has ended.")
    member = get_user_model().objects.filter(pk=payload["user"], is_active=True).first()
    if member is None:
        raise InvalidToken("This member is no longer in the workspace.")
    login(request, member, settings.AUTHENTICATION_BACKENDS[0])
    request.session[SESSION_KEY] = {"operator": payload["operator"], "reason": payload["reason"]}
    request.session.set_expiry(until)
    return SupportSession(payload["operator"], payload["reason"], until)


def current(request: HttpRequest) -> SupportSession | None:
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    if not data:
        return None
    return SupportSession(data["operator"], data["reason"], session.get_expiry_date())


def banner(request: HttpRequest) -> dict[str, object]:
    """Context processor: the support session of this request, for the banner of base.html."""
    return {"support_session": current(request)}

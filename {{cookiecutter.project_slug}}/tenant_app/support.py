"""Support access: an operator on www opens a member's session in a workspace, for a limited
time and with a reason. Opening it writes the workspace's audit row (its owners see it) and the
operator action (public) in one transaction, and gives a signed, single-use link bound to the
workspace (tenant_app/tokens.py). The session ends at its time (the session expires then), at
log-out, or earlier when an operator or an owner ends it (``end_session``: both records again);
a banner on every page says who is acting. A session is read-only unless opened read-write
(``SupportSessionMiddleware`` refuses the rest with 403). Owners can switch support access off
(WorkspaceSecurity.allow_support_access)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import Client

from .models import AuditEvent, WorkspaceSecurity
from .tokens import InvalidToken, make_support_token, redeem_support_token

SESSION_KEY = "support_session"
MAX_MINUTES = 8 * 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class SupportRefused(Exception):
    """Support access is off in this workspace, or the member or the reason is missing."""


@dataclass(frozen=True)
class SupportSession:
    operator: str
    reason: str
    until: datetime
    event: int  # its AuditEvent (support_access): ended when an event support_ended names it
    read_write: bool


def open_session(
    workspace: Client,
    *,
    member_email: str,
    operator: str,
    reason: str,
    duration: timedelta,
    read_write: bool = False,
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
            mode = "read-write" if read_write else "read-only"
            event = AuditEvent.objects.create(
                actor=f"Support: {operator}",
                action=AuditEvent.Action.SUPPORT_ACCESS,
                reason=reason,
                until=until,
                details={"as": member.email, "mode": mode},
            )
        lifecycle.record(
            workspace,
            "support_access",
            by=operator,
            reason=reason,
            member=member.email,
            until=until.isoformat(),
            mode=mode,
        )
    session = {
        "user": member.pk,
        "operator": operator,
        "reason": reason,
        "until": until,
        "event": event.pk,
        "read_write": read_write,
    }
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
    if has_ended(payload["event"]):
        raise InvalidToken("This support session was ended.")
    login(request, member, settings.AUTHENTICATION_BACKENDS[0])
    kept = ("operator", "reason", "event", "read_write")
    request.session[SESSION_KEY] = {name: payload[name] for name in kept}
    request.session.set_expiry(until)
    return SupportSession(until=until, **request.session[SESSION_KEY])


def current(request: HttpRequest) -> SupportSession | None:
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    if not data:
        return None
    return SupportSession(until=session.get_expiry_date(), **data)


def open_sessions() -> list[AuditEvent]:
    """The support sessions of the active workspace not yet over, newest first."""
    ended = set(
        AuditEvent.objects.filter(action=AuditEvent.Action.SUPPORT_ENDED).values_list(
            "details__session", flat=True
        )
    )
    started = AuditEvent.objects.filter(
        action=AuditEvent.Action.SUPPORT_ACCESS, until__gt=timezone.now()
    )
    return [event for event in started if event.pk not in ended]


def has_ended(event: int) -> bool:
    ended = AuditEvent.objects.filter(action=AuditEvent.Action.SUPPORT_ENDED)
    return ended.filter(details__session=event).exists()


def end_session(
    workspace: Client, event: int, *, actor: str, reason: str, address: str | None = None
) -> None:
    """End a support session before its time: its operator's next request is logged out. Both
    audit logs record it: the workspace's (``actor``) and the operator actions (public)."""
    try:
        reason = lifecycle.clean_reason(reason)
    except lifecycle.ActionRefused as error:
        raise SupportRefused(str(error)) from error
    with transaction.atomic():
        with workspace:
            started = next((e for e in open_sessions() if e.pk == event), None)
            if started is None:
                raise SupportRefused("This support session is already over.")
            AuditEvent.objects.create(
                actor=actor,
                action=AuditEvent.Action.SUPPORT_ENDED,
                address=address,
                reason=reason,
                details={"session": started.pk, "operator": started.actor, **started.details},
            )
        lifecycle.record(
            workspace, "support_ended", by=actor, reason=reason, member=started.details["as"]
        )


class SupportSessionMiddleware:
    """In a support session: log out once it was ended early; refuse changes in a read-only one
    (403 with a page that says why), log-out excepted."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = current(request)
        if session is None or not request.tenant.is_dynamic:  # type: ignore[attr-defined]
            return self.get_response(request)
        if has_ended(session.event):
            logout(request)
            return redirect(settings.LOGIN_URL)
        if (
            not session.read_write
            and request.method not in SAFE_METHODS
            and request.path != reverse("account_logout")
        ):
            context = {"support": session}
            return render(request, "tenant_app/support_read_only.html", context, status=403)
        return self.get_response(request)


def banner(request: HttpRequest) -> dict[str, object]:
    """Context processor: the support session of this request, for the banner of base.html."""
    return {"support_session": current(request)}

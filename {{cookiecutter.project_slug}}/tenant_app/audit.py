"""The workspace's audit log: who did what, when, from which address (tenant_app.AuditEvent).

Our own actions (members, roles, exports, settings, deletions, support access) call ``record``
in the transaction of the change they record.
# >>> include_api
So do API keys created and revoked.
# <<< include_api
The account events come from signals: allauth's log-in, Django's failed log-in and log-out,
allauth's two-factor and passkey changes. Only a workspace has an audit log: the same signals on
www record nothing.

In a support session the actor is the operator, named with the member they act as.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in, user_signed_up
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django import forms
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import support
from .models import AuditEvent

Action = AuditEvent.Action

CSV_COLUMNS = ["when", "who", "what", "from", "why", "until", "details"]


def in_workspace(request: HttpRequest | None) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.is_dynamic


def actor_of(request: HttpRequest, user: Any = None) -> str:
    """Who acts: the member, or the operator of a support session (as that member)."""
    user = user or getattr(request, "user", None)
    email = getattr(user, "email", "") or ""
    session = support.current(request)
    if session is not None:
        return f"Support: {session.operator} (as {email})"
    return email


def client_address(request: HttpRequest) -> str:
    """The client's address as the rate limits see it (``ALLAUTH_TRUSTED_PROXY_COUNT``)."""
    return get_adapter(request).get_client_ip(request)


def record(
    request: HttpRequest,
    action: str,
    *,
    actor: str | None = None,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Write one row for the request's workspace; call it inside the change's transaction."""
    return AuditEvent.objects.create(
        actor=(actor if actor is not None else actor_of(request))[:254],
        action=action,
        address=client_address(request),
        reason=reason,
        details=details,
    )


# The account events, from allauth's and Django's signals.


def on_logged_in(request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if not in_workspace(request):
        return
    if "sociallogin" in kwargs:
        method = "single sign-on"
    else:
        methods = [entry["method"] for entry in get_authentication_records(request, user)]
        method = ", ".join(dict.fromkeys(methods)) or "password"
    record(request, Action.LOGIN, actor=user.email, method=method)


def on_login_failed(
    credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """A wrong password, at the log-in page (``email``) or the admin's (``username``)."""
    if request is None or not in_workspace(request):
        return
    typed = str(credentials.get("email") or credentials.get("username") or "")
    record(request, Action.LOGIN_FAILED, actor=typed, step="password")


def on_second_factor_failed(
    request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if not in_workspace(request):
        return
    step = "re-authentication" if kwargs.get("reauthentication") else "two-factor code"
    record(request, Action.LOGIN_FAILED, actor=user.email, step=step)


def on_logged_out(request: HttpRequest | None, user: Any, **_: Any) -> None:
    if request is None or user is None or not in_workspace(request):
        return
    record(request, Action.LOGOUT, actor=actor_of(request, user))


def authenticator_action(authenticator: Authenticator, added: bool) -> str:
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        return Action.PASSKEY_ADDED if added else Action.PASSKEY_REMOVED
    return Action.TWO_FACTOR_ADDED if added else Action.TWO_FACTOR_REMOVED


def on_authenticator_changed(
    request: HttpRequest, user: Any, authenticator: Authenticator, *, added: bool, **_: Any
) -> None:
    if in_workspace(request):
        action = authenticator_action(authenticator, added=added)
        record(request, action, actor=actor_of(request, user), kind=authenticator.type)


def on_authenticator_reset(
    request: HttpRequest, user: Any, authenticator: Authenticator, **_: Any
) -> None:
    if in_workspace(request):
        record(request, Action.RECOVERY_CODES_RENEWED, actor=actor_of(request, user))


def on_signed_up(request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """In a workspace, only single sign-on signs people up (just-in-time membership)."""
    if in_workspace(request) and "sociallogin" in kwargs:
        record(request, Action.MEMBER_JOINED, actor=user.email, via="single sign-on")


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="audit_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    authentication_failed.connect(on_second_factor_failed, dispatch_uid="audit_mfa_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit_logged_out")
    for signal, added in ((authenticator_added, True), (authenticator_removed, False)):
        receiver = partial(on_authenticator_changed, added=added)
        signal.connect(receiver, weak=False, dispatch_uid=f"audit_mfa_{added}")
    authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit_mfa_reset")
    user_signed_up.connect(on_signed_up, dispatch_uid="audit_signed_up")


# The owners' page: filters and the CSV export.


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="What", choices=[("", "Everything"), *Action.choices], required=False
    )
    actor = forms.CharField(label="Who", max_length=254, required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The first day comes after the last.")
        return data


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    """The events the (validated) filters select, newest first; days in the current time zone,
    both ends included."""
    events = AuditEvent.objects.all()
    data = form.cleaned_data
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("actor"):
        events = events.filter(actor__icontains=data["actor"])
    if data.get("since"):
        events = events.filter(at__gte=day_start(data["since"]))
    if data.get("until"):
        events = events.filter(at__lt=day_start(data["until"]) + timedelta(days=1))
    return events


class Echo:
    """A file-like object whose write returns the line: csv.writer for a streamed response."""

    def write(self, value: str) -> str:
        return value


def cell(value: str) -> str:
    """A spreadsheet reads a cell starting with = + - @ as a formula: an actor is whatever
    someone typed in the log-in form, so such a cell is quoted."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(
            cell(value)
            for value in [
                event.at.isoformat(),
                event.actor,
                event.get_action_display(),
                event.address or "",
                event.reason,
                event.until.isoformat() if event.until else "",
                event.summary,
            ]
        )

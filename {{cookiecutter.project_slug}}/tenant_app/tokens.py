"""Signed links that carry a person into one workspace: the sign-up hand-over, an operator's
support session, invitations and the download of the workspace's data export.

Each payload names its workspace's schema, so a link made for one workspace is refused by every
other. Hand-over and support tokens live a minute and are single-use (UsedHandoverToken; its
rows older than a minute are deleted at the next one); an invitation is used up once accepted; a
download link lives a day and its view also wants an owner of the workspace.
"""

import secrets
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from pgschemas.schema import Schema

from .models import UsedHandoverToken

HANDOVER_SALT = "tenant_app.handover"
HANDOVER_MAX_AGE = 60  # seconds
INVITATION_SALT = "tenant_app.invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600
SUPPORT_SALT = "tenant_app.support_session"
EXPORT_SALT = "tenant_app.data_export"
EXPORT_MAX_AGE = 24 * 3600


class InvalidToken(Exception):
    """The link is malformed, expired, already used, or made for another workspace."""


def _load(token: str, *, salt: str, max_age: int, workspace: Schema) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidToken("This link has expired.") from error
    except signing.BadSignature as error:
        raise InvalidToken("This link is not valid.") from error
    if payload.get("schema") != workspace.schema_name:
        raise InvalidToken("This link was made for another workspace.")
    return payload


def make_handover_token(workspace: Schema, user_id: int) -> str:
    payload = {"schema": workspace.schema_name, "user": user_id, "nonce": secrets.token_hex(16)}
    return signing.dumps(payload, salt=HANDOVER_SALT)


def _use_once(nonce: str) -> None:
    # Tokens older than their life are refused by their signature: their nonces are not needed.
    expired = timezone.now() - timedelta(seconds=HANDOVER_MAX_AGE)
    UsedHandoverToken.objects.filter(used_at__lt=expired).delete()
    try:
        with transaction.atomic():
            UsedHandoverToken.objects.create(nonce=nonce)
    except IntegrityError as error:
        raise InvalidToken("This link was already used.") from error


def redeem_handover_token(token: str, workspace: Schema) -> int:
    """Return the user id in a fresh, unused hand-over token for ``workspace``; use it up."""
    payload = _load(token, salt=HANDOVER_SALT, max_age=HANDOVER_MAX_AGE, workspace=workspace)
    _use_once(payload["nonce"])
    return payload["user"]


def make_support_token(workspace: Schema, session: dict[str, Any]) -> str:
    """``session``: what the support session needs (member, operator, reason, until)."""
    payload = {**session, "schema": workspace.schema_name, "nonce": secrets.token_hex(16)}
    return signing.dumps(payload, salt=SUPPORT_SALT)


def redeem_support_token(token: str, workspace: Schema) -> dict[str, Any]:
    payload = _load(token, salt=SUPPORT_SALT, max_age=HANDOVER_MAX_AGE, workspace=workspace)
    _use_once(payload["nonce"])
    return payload


def make_invitation_token(workspace: Schema, invitation_id: int) -> str:
    payload = {"schema": workspace.schema_name, "invitation": invitation_id}
    return signing.dumps(payload, salt=INVITATION_SALT)


def invitation_id_from_token(token: str, workspace: Schema) -> int:
    payload = _load(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE, workspace=workspace)
    return payload["invitation"]


def make_export_token(workspace: Schema, file_name: str) -> str:
    return signing.dumps({"schema": workspace.schema_name, "file": file_name}, salt=EXPORT_SALT)


def export_file_from_token(token: str, workspace: Schema) -> str:
    payload = _load(token, salt=EXPORT_SALT, max_age=EXPORT_MAX_AGE, workspace=workspace)
    return payload["file"]

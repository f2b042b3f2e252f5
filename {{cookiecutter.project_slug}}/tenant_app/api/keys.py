"""API keys: made and shown once, stored as a SHA-256, found by their visible prefix.

A key reads ``<schema>.<id>.<secret>``. Its schema names the workspace it opens, so another
host refuses it before any query; ``<schema>.<id>`` is the prefix kept in clear (unique,
indexed) that finds the row in one query; the whole key's hash is then compared in constant
time. The secret has 256 random bits: a fast hash is enough, there is nothing to guess.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from pgschemas.schema import Schema

from ..models import ApiKey

# last_used_at is written at most once a minute per key: not one UPDATE per request.
LAST_USED_PRECISION = timedelta(minutes=1)


class InvalidApiKey(Exception):
    """Not a live key of this workspace: malformed, unknown, revoked or another workspace's."""


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(workspace: Schema, key: ApiKey) -> str:
    """Save ``key`` (name and scope set) with a new secret in the active schema, which must be
    ``workspace``'s; return the full key, which is not stored: show it once."""
    key.prefix = f"{workspace.schema_name}.{secrets.token_urlsafe(6)}"
    full_key = f"{key.prefix}.{secrets.token_urlsafe(32)}"
    key.hashed_key = digest(full_key)
    key.save()
    return full_key


def workspace_named_by(full_key: str) -> str | None:
    """The schema name a well-formed key starts with (not checked: see key_for)."""
    parts = full_key.split(".")
    return parts[0] if len(parts) == 3 and parts[0] else None


def key_for(full_key: str, workspace: Schema) -> ApiKey:
    """The live key of ``workspace`` that ``full_key`` is, its use recorded; InvalidApiKey
    otherwise. At most one query (two when last_used_at is due)."""
    if not workspace.is_dynamic or workspace_named_by(full_key) != workspace.schema_name:
        raise InvalidApiKey
    key = ApiKey.objects.filter(prefix=full_key.rsplit(".", 1)[0], revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.hashed_key, digest(full_key)):
        raise InvalidApiKey
    record_use(key)
    return key


def record_use(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def revoke_key(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now())

"""Cache keys per tenant: the same key in two schemas names two entries."""

from .schema import get_active_schema


def make_key(key: str, key_prefix: str, version: int) -> str:
    """``CACHES[...]["KEY_FUNCTION"]``: Django's default key, prefixed with the active schema.

    Use it for the caches the apps use; the tenancy's own routing cache (``PGSCHEMAS_CACHE``) is
    shared by every schema and keeps Django's default key function.
    """
    return f"{get_active_schema().schema_name}:{key_prefix}:{version}:{key}"

"""Cache keys per tenant: the same key in two schemas names two entries."""

from ..schema import get_active_schema


def make_key(key: str, key_prefix: str, version: int) -> str:
    """``CACHES[...]["KEY_FUNCTION"]``: Django's default key, prefixed with the active schema.

    A cache meant to be shared by every schema keeps Django's default key function instead.
    """
    return f"{get_active_schema().schema_name}:{key_prefix}:{version}:{key}"

"""Tag every Sentry event with the schema it happened in (``before_send`` of ``sentry_sdk``)."""

from typing import Any

from ..schema import get_active_schema


def tag_with_schema(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    event.setdefault("tags", {})["tenant"] = get_active_schema().schema_name
    return event

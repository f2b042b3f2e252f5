"""Every log record carries the schema it was written in (``%(schema)s`` in a formatter)."""

import logging

from ..schema import get_active_schema


class SchemaFilter(logging.Filter):
    """Add ``record.schema``, the active schema's name; filters nothing out."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.schema = get_active_schema().schema_name
        return True

from typing import Any

from django.db.backends.postgresql import operations


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str | None:
        """The statement as written: without the SET that travelled in front of it."""
        query = super().last_executed_query(cursor, sql, params)
        prefix_length = getattr(cursor, "path_prefix_length", 0)
        return query[prefix_length:] if query and prefix_length else query

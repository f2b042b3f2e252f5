from django.db.backends.postgresql import introspection
from django.db.backends.postgresql.introspection import TableInfo

from ..schema import get_active_schema


class DatabaseIntrospection(introspection.DatabaseIntrospection):
    def get_table_list(self, cursor) -> list[TableInfo]:
        """Tables of the active schema only, so each schema migrates on its own.

        Django lists every table visible on the search path, which includes public's: a tenant
        would then find public's ``django_migrations`` and skip creating its own.
        """
        cursor.execute(
            """
            SELECT
                c.relname,
                CASE
                    WHEN c.relispartition THEN 'p'
                    WHEN c.relkind IN ('m', 'v') THEN 'v'
                    ELSE 't'
                END,
                obj_description(c.oid, 'pg_class')
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v') AND n.nspname = %s
            """,
            [get_active_schema().schema_name],
        )
        return [TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables]

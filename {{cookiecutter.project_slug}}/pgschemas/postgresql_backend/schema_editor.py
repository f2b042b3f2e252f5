import copy
from typing import Any

from django.db.backends.ddl_references import Statement
from django.db.backends.postgresql import schema
from django.db.models import Field, Model

from ..config import PUBLIC, app_labels
from ..schema import get_active_schema


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    """Django's schema editor, minus foreign key constraints from a tenant's table into public.

    Every tenant's ``auth_permission`` and ``django_admin_log`` point at public's
    ``django_content_type``. As constraints, each would put two triggers on that one table
    (4,000 at 1,000 tenants), which every connection then loads whenever it reads the table and
    which each new tenant invalidates; adding one also locks the table against every other
    schema being created at the same time, so tenants could only be made one after the other.
    The column, its index and Django's behaviour stay; PostgreSQL just does not check that the
    public row exists (Django's deletion collector sees only the active schema anyway).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._left_out: list[Statement] = []
        self.sent: list[tuple[str, Any]] | None = None  # when a list: each statement sent

    def _create_fk_sql(self, model: type[Model], field: Field, suffix: str) -> Statement:
        statement = super()._create_fk_sql(model, field, suffix)
        if points_into_public(field):
            self._left_out.append(statement)
        return statement

    def execute(self, sql: Any, params: Any = ()) -> None:
        if any(sql is left_out for left_out in self._left_out):
            return
        if self.sent is not None:
            self.sent.append((str(sql), params))
        super().execute(sql, params)

    def add_field(self, model: type[Model], field: Field) -> None:
        if points_into_public(field):  # PostgreSQL's ADD COLUMN would declare it inline
            field = copy.copy(field)
            field.db_constraint = False
        super().add_field(model, field)


def points_into_public(field: Field) -> bool:
    """Whether the field references a model that the active (non-public) schema reaches in
    public, because its app is not one of the schema's own."""
    schema = get_active_schema()
    if field.remote_field is None or schema.schema_name == PUBLIC:
        return False
    return field.remote_field.model._meta.app_label not in app_labels(schema.tenant_apps)

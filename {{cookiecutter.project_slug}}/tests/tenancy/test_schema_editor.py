"""No foreign key constraint points from a tenant's schema into public: each would add triggers
to the shared table and lock it while the tenant's schema is made."""

import copy

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from tenant_app.models import Project

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db

FOREIGN_KEYS_OUT_OF = """
    SELECT c.relname, f.relname, fn.nspname
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
    WHERE k.contype = 'f' AND k.connamespace = %s::regnamespace
"""


def foreign_keys_out_of(schema_name: str) -> set[tuple[str, str, str]]:
    """(table, referenced table, referenced table's schema) of each key declared in the schema."""
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS_OUT_OF, [schema_name])
        return set(cursor.fetchall())


def triggers_on_public_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = 'public'::regnamespace"
        )
        return cursor.fetchone()[0]


def column_and_index(schema_name: str, table: str, column: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [schema_name, table, column],
        )
        columns = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND tablename = %s "
            "AND indexdef LIKE %s",
            [schema_name, table, f"%({column})"],
        )
        return columns, cursor.fetchone()[0]


def test_a_tenants_foreign_keys_stay_inside_its_schema():
    tenant = ClientFactory(schema_name="keys")

    keys = foreign_keys_out_of(tenant.schema_name)

    assert ("users_user_groups", "auth_group", "keys") in keys
    assert {schema for _, _, schema in keys} == {"keys"}
    assert column_and_index("keys", "auth_permission", "content_type_id") == (1, 1)


def test_public_keeps_its_own_foreign_keys():
    assert ("shared_app_domain", "shared_app_client", "public") in foreign_keys_out_of("public")


def test_new_tenants_add_no_triggers_to_public_tables():
    ClientFactory(schema_name="keys_first")
    before = triggers_on_public_tables()

    ClientFactory(schema_name="keys_second")
    ClientFactory(schema_name="keys_third")

    assert triggers_on_public_tables() == before


def test_a_tenants_permissions_still_reach_their_content_types():
    tenant = ClientFactory(schema_name="keys_perms")

    with tenant:
        permission = Permission.objects.select_related("content_type").get(codename="add_project")

    assert permission.content_type == ContentType.objects.get_for_model(Project)


def test_a_field_added_or_altered_later_declares_no_constraint_into_public():
    tenant = ClientFactory(schema_name="keys_later")
    kind = foreign_key(ContentType, "kind")
    parent = foreign_key(Project, "parent")
    content_type = Permission._meta.get_field("content_type")
    unchecked = copy.copy(content_type)
    unchecked.db_constraint = False

    with tenant, connection.schema_editor() as editor:
        editor.add_field(Project, kind)
        editor.add_field(Project, parent)
        editor.alter_field(Permission, content_type, unchecked)
        editor.alter_field(Permission, unchecked, content_type)  # would create the constraint

    keys = foreign_keys_out_of("keys_later")
    assert ("tenant_app_project", "tenant_app_project", "keys_later") in keys
    assert {schema for _, _, schema in keys} == {"keys_later"}
    assert column_and_index("keys_later", "tenant_app_project", "kind_id") == (1, 1)


def foreign_key(to: type[models.Model], name: str) -> models.ForeignKey:
    field = models.ForeignKey(to, models.CASCADE, null=True, related_name="+")
    field.set_attributes_from_name(name)
    return field

"""search_path is set only when needed, and stays right after rollbacks and reconnects."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pgschemas.schema import PUBLIC_SCHEMA, StaticSchema
from shared_app.models import Client
from tenant_app.models import Project

from .conftest import secret_of

# Django 6.1 renamed savepoint() to savepoint_create() and deprecated the old name.
savepoint_create = getattr(transaction, "savepoint_create", transaction.savepoint)


class Rollback(Exception):
    pass


def search_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


def project_names() -> list[str]:
    return list(Project.objects.values_list("name", flat=True))


@pytest.fixture
def tenants(committed_db) -> tuple[Client, Client]:
    return Client.objects.get(schema_name="acme"), Client.objects.get(schema_name="globex")


def test_search_path_is_the_active_schema_then_public(acme):
    with acme:
        assert search_path() == "acme, public"
    with StaticSchema("www"):
        assert search_path() == "www, public"
    assert search_path() == "public"


def test_no_set_when_the_connection_already_has_the_path(acme):
    with acme:
        project_names()
        with CaptureQueriesContext(connection) as captured:
            project_names()
            project_names()

    assert [q["sql"] for q in captured.captured_queries if "search_path" in q["sql"]] == []
    assert len(captured.captured_queries) == 2


def test_path_set_in_a_rolled_back_transaction_is_set_again(tenants):
    acme, globex = tenants
    with globex:
        project_names()  # the session's path is now globex, outside any transaction
    with acme:
        with pytest.raises(Rollback), transaction.atomic():
            assert project_names() == [secret_of("acme")]  # SET inside the transaction
            raise Rollback  # PostgreSQL undoes that SET: the session is back on globex

        assert project_names() == [secret_of("acme")]


def test_path_set_inside_a_rolled_back_savepoint_is_set_again(tenants):
    acme, globex = tenants
    with transaction.atomic(), globex:
        project_names()  # the session's path is globex
        savepoint = savepoint_create()
        with acme:
            assert project_names() == [secret_of("acme")]  # SET to acme after the savepoint
            transaction.savepoint_rollback(savepoint)  # undoes it: the session is on globex

            assert project_names() == [secret_of("acme")]


def test_reconnecting_sets_the_path_again(tenants):
    acme, _ = tenants
    with acme:
        project_names()
        connection.close()

        assert project_names() == [secret_of("acme")]
        assert search_path() == "acme, public"


def test_an_invalid_schema_name_never_reaches_sql(db):
    with Client(schema_name='x"; DROP SCHEMA public CASCADE; --'):
        with pytest.raises(ValueError, match="not a valid schema name"):
            project_names()

    assert search_path() == "public"


def test_introspection_lists_only_the_active_schemas_tables(acme):
    with acme:
        tables = connection.introspection.table_names()
    with PUBLIC_SCHEMA:
        public_tables = connection.introspection.table_names()

    assert "tenant_app_project" in tables and "shared_app_client" not in tables
    assert "shared_app_client" in public_tables and "tenant_app_project" not in public_tables

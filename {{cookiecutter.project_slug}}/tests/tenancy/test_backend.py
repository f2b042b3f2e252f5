"""search_path travels with the statements, only when needed, and stays right after rollbacks
and reconnects, in both forms: per transaction (the default) and per session (opt-in)."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from pgschemas.schema import PUBLIC_SCHEMA, StaticSchema
from shared_app.models import Client
from tenant_app.models import Project

from ..conftest import secret_of, statements_sent

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


@pytest.fixture(params=["per transaction", "per session"])
def path_form(request, settings) -> str:
    """Each form of the path; the SET each sends in front of a statement."""
    settings.PGSCHEMAS_SESSION_SEARCH_PATH = request.param == "per session"
    return "SET search_path" if request.param == "per session" else "SET LOCAL search_path"


def test_search_path_is_the_active_schema_then_public(acme, path_form):
    with acme:
        assert search_path() == "acme, public"
    with StaticSchema("www"):
        assert search_path() == "www, public"
    assert search_path() == "public"


def test_no_set_when_the_connection_already_has_the_path(acme, path_form):
    with acme:
        project_names()
        with statements_sent() as sent:
            project_names()
            project_names()

    assert len(sent) == 2
    assert [sql for sql in sent if "search_path" in sql] == []


def test_path_set_in_a_rolled_back_transaction_is_set_again(tenants, path_form):
    acme, globex = tenants
    with globex:
        project_names()  # the session's path is now globex, outside any transaction
    with acme:
        with pytest.raises(Rollback), transaction.atomic():
            assert project_names() == [secret_of("acme")]  # SET inside the transaction
            raise Rollback  # PostgreSQL undoes that SET: the session is back on globex

        assert project_names() == [secret_of("acme")]


def test_path_set_inside_a_rolled_back_savepoint_is_set_again(tenants, path_form):
    acme, globex = tenants
    with transaction.atomic(), globex:
        project_names()  # the session's path is globex
        savepoint = savepoint_create()
        with acme:
            assert project_names() == [secret_of("acme")]  # SET to acme after the savepoint
            transaction.savepoint_rollback(savepoint)  # undoes it: the session is on globex

            assert project_names() == [secret_of("acme")]


def test_reconnecting_sets_the_path_again(tenants, path_form):
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


def test_a_failed_query_in_a_tenant_in_a_nested_atomic_leaves_the_outer_one_usable(acme, path_form):
    """Regression: the SET back to public was sent in the aborted savepoint, so it failed too."""

    def failing_query() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0 FROM tenant_app_project")

    with transaction.atomic():
        with pytest.raises(DataError):
            with transaction.atomic(), acme:
                failing_query()

        assert not transaction.get_rollback()
        assert Client.objects.filter(schema_name="acme").exists()
        with acme:
            assert project_names() == [secret_of("acme")]


def test_the_path_costs_no_round_trip_of_its_own(tenants, path_form):
    acme, globex = tenants
    with globex:
        project_names()
    with acme, statements_sent() as sent, CaptureQueriesContext(connection) as captured:
        assert project_names() == [secret_of("acme")]

    assert len(sent) == 1
    assert sent[0].startswith(f'{path_form} = "acme", public; SELECT')
    assert captured.captured_queries[0]["sql"].startswith("SELECT")  # shown as written


def test_statements_that_refuse_a_transaction_still_get_the_path(tenants, path_form):
    acme, globex = tenants
    with globex:
        project_names()
    with acme, connection.cursor() as cursor:
        cursor.execute("CREATE INDEX CONCURRENTLY backend_test_idx ON tenant_app_project (name)")
        try:
            cursor.execute("SELECT to_regclass('acme.backend_test_idx') IS NOT NULL")
            assert cursor.fetchone() == (True,)
        finally:
            cursor.execute("DROP INDEX backend_test_idx")


def test_by_default_the_path_is_set_locally_in_every_transaction(tenants):
    """Right behind any pooler: the server connection may change between transactions."""
    acme, _ = tenants
    with acme, statements_sent() as sent:
        assert project_names() == [secret_of("acme")]  # autocommit: each statement its own
        assert project_names() == [secret_of("acme")]
        with transaction.atomic():
            assert project_names() == [secret_of("acme")]  # once per transaction
            assert project_names() == [secret_of("acme")]

    selects = [sql for sql in sent if "tenant_app_project" in sql]
    local_sets = [sql.startswith('SET LOCAL search_path = "acme", public; ') for sql in selects]
    assert local_sets == [True, True, True, False]
    with connection.connection.cursor() as raw:  # the session's own path was never changed
        raw.execute("SELECT current_setting('search_path')")
        assert "acme" not in raw.fetchone()[0]


def test_a_server_side_cursor_outside_a_transaction_reads_the_active_schema(tenants, path_form):
    """Its DECLARE cannot carry the path: on a direct connection the session gets it first."""
    acme, globex = tenants
    with globex:
        project_names()
    with acme:
        assert [project.name for project in Project.objects.iterator()] == [secret_of("acme")]
        with transaction.atomic():
            assert [project.name for project in Project.objects.iterator()] == [secret_of("acme")]

"""migrateschema over a fleet: who is behind, failures isolated and reported, reruns, kills."""

import io
import os
import pty
import re
import signal
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from pgschemas.fleet import batches, migrations_state, stamps
from pgschemas.fleet.batches import migrate_dynamic_batch
from pgschemas.fleet.migrations_state import schemas_behind
from pgschemas.fleet.plans import expected_migrations
from pgschemas.fleet.provisioning import drop_schema
from pgschemas.fleet.runner import migrate_dynamic_schemas
from pgschemas.fleet.stamp_reading import stamp_ids
from pgschemas.fleet.stamps import set_committed
from shared_app.models import Client

from ..factories import ClientFactory
from ..processes import manage, run_manage

# What make_behind() takes back, and a rerun applies again.
TENANT_APP_MIGRATIONS = sum(app == "tenant_app" for app, _ in MigrationLoader(None).disk_migrations)


def sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def has_projects_table(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{schema_name}.tenant_app_project"])
        return cursor.fetchone()[0]


def tenants(*schema_names: str) -> None:
    for name in schema_names:
        ClientFactory(schema_name=name)


def make_behind(schema_name: str) -> None:
    """As if tenant_app's migrations had never been applied there."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE %s",
            [schema_name, "tenant\\_app\\_%"],
        )
        tables = ", ".join(f'"{schema_name}"."{table}"' for (table,) in cursor.fetchall())
    sql(f"DROP TABLE {tables} CASCADE")
    sql(f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'tenant_app'")


def make_broken(schema_name: str) -> None:
    """tenant_app's migration looks unapplied but its table is there: applying it fails."""
    sql(f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'tenant_app'")


@pytest.fixture(params=["by name", "in one pass"])
def catalog_reading(request, monkeypatch) -> str:
    """Both ways of reading the catalogs: each schema looked up by name (a batch), or one pass
    over each catalog (from ``SCAN_FROM`` schemas on: the whole fleet)."""
    if request.param == "in one pass":
        monkeypatch.setattr(migrations_state, "SCAN_FROM", 1)
    return request.param


@pytest.mark.django_db
def test_one_query_pass_finds_exactly_the_schemas_behind(catalog_reading):
    tenants("fl_a", "fl_b", "fl_c")
    make_behind("fl_b")
    drop_schema("fl_c")

    behind = schemas_behind(["acme", "fl_a", "fl_b", "fl_c", "nowhere"], expected_migrations())

    assert behind == ["fl_b", "fl_c", "nowhere"]


def forget(schema_name: str, app: str, name: str) -> int:
    """As if this migration, and every later one that depends on it (a project's own), had never
    been applied there (their changes stay); how many that is."""
    keys = MigrationLoader(None).graph.backwards_plan((app, name))
    for key_app, key_name in keys:
        sql(
            f'DELETE FROM "{schema_name}".django_migrations '
            f"WHERE app = '{key_app}' AND name = '{key_name}'"
        )
    return len(keys)


@pytest.mark.django_db
def test_a_migration_that_changes_no_model_asks_nothing_of_the_permissions_and_one_round_trip():
    tenants("fl_a")
    forgotten = forget("fl_a", "tenant_app", "0007_audit_deletions")  # a change of choices

    with CaptureQueriesContext(connection) as queries:
        outcomes = migrate_dynamic_batch(["fl_a"], fail_fast=False)

    assert [(o.applied, o.error) for o in outcomes] == [(forgotten, None)]
    assert schemas_behind(["fl_a"], expected_migrations()) == []
    statements = [str(query["sql"]) for query in queries]
    assert not [sql for sql in statements if "auth_permission" in sql]
    # One round trip for the schema: its savepoint, the recording of the migration, the schema's
    # stamp and the savepoint's release; then the batch's own release (a savepoint in the test).
    start = max(i for i, sql in enumerate(statements) if sql.startswith("SAVEPOINT pgschemas"))
    schemas_trip, *after = statements[start:]
    sent = [part.split()[0] for part in schemas_trip.split(";\n")]
    assert sent[0] == "SAVEPOINT" and sent[-1] == "RELEASE", statements
    assert 'INSERT INTO "django_migrations"' in schemas_trip
    assert [sql.split()[0] for sql in after] == ["RELEASE"], statements


@pytest.mark.django_db
def test_a_migration_that_adds_permissions_creates_them_in_each_schema():
    tenants("fl_a", "fl_b")
    for name in ("fl_a", "fl_b"):
        forgotten = forget(name, "users", "0002_operator_support_permissions")
        sql(f"DELETE FROM \"{name}\".auth_permission WHERE codename LIKE 'open_%%support_session'")

    outcomes = migrate_dynamic_batch(["fl_a", "fl_b"], fail_fast=False)

    assert [(o.applied, o.error) for o in outcomes] == [(forgotten, None), (forgotten, None)]
    for name in ("fl_a", "fl_b"):
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT codename FROM "{name}".auth_permission '
                "WHERE codename LIKE 'open_%%support_session' ORDER BY 1"
            )
            assert cursor.fetchall() == [
                ("open_read_write_support_session",),
                ("open_support_session",),
            ]


def reads_of_migration_tables(queries: CaptureQueriesContext) -> list[str]:
    return [str(q["sql"]) for q in queries if ".django_migrations m" in str(q["sql"])]


def queries_finding_none_behind(
    schema_names: list[str],
) -> tuple[CaptureQueriesContext, CaptureQueriesContext]:
    """The queries of finding that none of these schemas is behind, stamping those without a
    stamp that counts; then of finding it again."""
    expected = expected_migrations()
    with CaptureQueriesContext(connection) as first:
        assert schemas_behind(schema_names, expected, stamp_unstamped=True) == []
    with CaptureQueriesContext(connection) as second:
        assert schemas_behind(schema_names, expected) == []
    return first, second


@pytest.mark.django_db
def test_schemas_are_stamped_so_that_finding_who_is_behind_reads_none_of_their_tables(
    catalog_reading,
):
    tenants("fl_a", "fl_b")  # stamped by the migrator as they were made
    sql(
        "DELETE FROM public.pgschemas_migration_stamp "
        "WHERE table_oid = 'fl_b.django_migrations'::regclass"
    )

    first, second = queries_finding_none_behind(["fl_a", "fl_b"])

    assert reads_of_migration_tables(first) == []  # fl_b was stamped from its rows, under a lock
    assert reads_of_migration_tables(second) == []
    # Whatever the fleet: the catalog with the stamps, and their sets; or in one pass, the
    # schemas, the stamps, their triggers, and the sets.
    assert len(second) == (2 if catalog_reading == "by name" else 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT set_id) FROM public.pgschemas_migration_stamp")
        assert cursor.fetchone()[0] == 1  # the migrator's stamp and one read from the rows agree


def stamp_schemas() -> dict[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relnamespace::regnamespace::text, s.schema_oid::regnamespace::text"
            " FROM public.pgschemas_migration_stamp s"
            " JOIN pg_class c ON c.oid = s.table_oid"
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_a_stamp_of_the_release_before_schemas_is_read_once_then_stamped_with_its_schema(
    monkeypatch,
):
    monkeypatch.setattr(migrations_state, "SCAN_FROM", 1)
    tenants("fl_a", "fl_b")
    sql("ALTER SCHEMA fl_a RENAME TO fl_renamed")  # its stamp still counts: the schema's oid
    sql(
        "UPDATE public.pgschemas_migration_stamp SET schema_oid = NULL "
        "WHERE table_oid = 'fl_b.django_migrations'::regclass"
    )

    first, second = queries_finding_none_behind(["fl_renamed", "fl_b"])

    assert reads_of_migration_tables(first) == []  # fl_b: stamped again, from its rows
    assert reads_of_migration_tables(second) == []
    assert len(second) == 4  # nothing looked up by name
    schemas = stamp_schemas()
    assert (schemas["fl_renamed"], schemas["fl_b"]) == ("fl_renamed", "fl_b")


@pytest.mark.django_db
def test_the_stamps_of_an_existing_fleet_get_their_schemas_by_the_migration():
    tenants("fl_a", "fl_b")
    sql("DROP TABLE fl_b.django_migrations")  # its stamp stays behind, naming no table
    sql("ALTER TABLE public.pgschemas_migration_stamp DROP COLUMN schema_oid")  # as before 0014

    sql(stamps.add_schema_sql())

    assert stamp_schemas()["fl_a"] == "fl_a"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM public.pgschemas_migration_stamp"
            " WHERE schema_oid IS NULL OR table_oid NOT IN (SELECT oid FROM pg_class)"
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_change_made_any_other_way_takes_the_stamp_away(catalog_reading):
    tenants("fl_a", "fl_b", "fl_c")
    forget("fl_a", "tenant_app", "0007_audit_deletions")  # raw SQL
    sql("TRUNCATE fl_b.django_migrations")
    sql("ALTER TABLE fl_c.django_migrations DISABLE TRIGGER pgschemas_migrations_changed")
    forget("fl_c", "tenant_app", "0007_audit_deletions")  # the stamp stays, but counts no more

    with CaptureQueriesContext(connection) as queries:
        behind = schemas_behind(["fl_a", "fl_b", "fl_c"], expected_migrations())

    assert behind == ["fl_a", "fl_b", "fl_c"]
    assert len(reads_of_migration_tables(queries)) == 1  # the three, in one query


@pytest.mark.django_db
def test_a_failing_schema_is_rolled_back_and_named_while_the_others_are_migrated():
    tenants("fl_a", "fl_b", "fl_c")
    make_behind("fl_a")
    make_broken("fl_b")
    make_behind("fl_c")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"Migrating failed for: fl_b\b") as raised:
        call_command(
            "migrateschema", "-s", ":dynamic:", "-v", "0", stdout=io.StringIO(), stderr=err
        )

    assert raised.value.returncode == 1
    assert (
        "fl_b" in err.getvalue()
        and 'relation "tenant_app_project" already exists' in err.getvalue()
    )
    assert has_projects_table("fl_a") and has_projects_table("fl_c")
    assert schemas_behind(["fl_a", "fl_b", "fl_c"], expected_migrations()) == ["fl_b"]


@pytest.mark.django_db
def test_a_failing_schema_in_the_middle_of_a_batch_is_rolled_back_alone_and_named():
    tenants("fl_a", "fl_b", "fl_c")
    make_behind("fl_a")
    make_broken("fl_b")
    make_behind("fl_c")

    outcomes = migrate_dynamic_batch(["fl_a", "fl_b", "fl_c"], fail_fast=False)

    assert [(o.schema_name, o.applied, bool(o.error)) for o in outcomes] == [
        ("fl_a", TENANT_APP_MIGRATIONS, False),
        ("fl_b", 0, True),
        ("fl_c", TENANT_APP_MIGRATIONS, False),
    ]
    assert 'relation "tenant_app_project" already exists' in str(outcomes[1].error)
    assert has_projects_table("fl_a") and has_projects_table("fl_c")
    assert schemas_behind(["fl_a", "fl_b", "fl_c"], expected_migrations()) == ["fl_b"]


@pytest.mark.django_db
def test_fail_fast_stops_a_batch_at_its_first_failure():
    tenants("fl_a", "fl_b", "fl_c")
    make_broken("fl_a")
    make_behind("fl_b")

    outcomes = migrate_dynamic_batch(["fl_a", "fl_b", "fl_c"], fail_fast=True)

    assert [outcome.schema_name for outcome in outcomes] == ["fl_a"]
    assert outcomes[0].error
    assert not has_projects_table("fl_b")


@pytest.mark.django_db
def test_quiet_run_prints_only_the_failures():
    tenants("fl_a", "fl_b")
    make_behind("fl_a")
    make_broken("fl_b")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("migrateschema", "-v", "0", stdout=out, stderr=err)

    assert out.getvalue() == ""
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "Schema 'fl_b' failed",
        "1 schema(s) failed and were left as they were",
        "  fl_b",
    ]


@pytest.mark.django_db
def test_a_failing_public_schema_stops_the_run_before_the_tenants():
    tenants("fl_a")
    make_behind("fl_a")
    sql("DELETE FROM public.django_migrations WHERE app = 'shared_app'")  # its tables stay

    with pytest.raises(CommandError, match=r"failed for: public\b"):
        call_command("migrateschema", "-v", "0", stderr=io.StringIO())

    assert not has_projects_table("fl_a")


@pytest.mark.django_db
def test_an_inconsistent_history_is_refused_as_django_refuses_it():
    tenants("fl_a")
    sql("DELETE FROM fl_a.django_migrations WHERE app = 'auth' AND name = '0001_initial'")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"failed for: fl_a\b"):
        call_command("migrateschema", "-s", "fl_a", "-v", "0", stderr=err)

    assert "InconsistentMigrationHistory: Migration " in err.getvalue()
    assert "before its dependency auth.0001_initial" in err.getvalue()


@pytest.mark.django_db
def test_fail_fast_stops_at_the_first_failure():
    tenants("fl_a", "fl_b", "fl_c")
    make_broken("fl_a")
    make_behind("fl_b")

    with pytest.raises(CommandError, match="fl_a"):
        call_command(
            "migrateschema", "-s", ":dynamic:", "--fail-fast", "-v", "0", stderr=io.StringIO()
        )

    assert not has_projects_table("fl_b")


@pytest.mark.django_db
def test_a_rerun_only_does_what_is_left():
    tenants("fl_a", "fl_b")
    make_behind("fl_b")
    out = io.StringIO()

    call_command("migrateschema", "-s", ":dynamic:", "-v", "2", stdout=out)

    assert f"Schema 'fl_b': {TENANT_APP_MIGRATIONS} migration(s) applied" in out.getvalue()
    for name in ("acme", "globex", "fl_a"):
        assert f"Schema '{name}': up to date" in out.getvalue()


@pytest.mark.django_db
def test_default_verbosity_ends_with_a_summary():
    tenants("fl_a")
    make_behind("fl_a")
    out = io.StringIO()

    call_command("migrateschema", stdout=out)

    summary = out.getvalue().splitlines()[-1]
    applied = rf"{TENANT_APP_MIGRATIONS} migration\(s\) applied"
    assert re.fullmatch(rf"\d+ of \d+ schemas done in [\d.]+ s: {applied}, 0 .*", summary)


@pytest.mark.django_db
def test_djangos_own_arguments_go_through_each_selected_schema():
    tenants("fl_a")
    make_behind("fl_a")
    out = io.StringIO()

    call_command("migrateschema", "tenant_app", "-s", "fl_a", stdout=out)

    assert "Schema 'fl_a':" in out.getvalue() and "tenant_app.0001_initial... OK" in out.getvalue()
    assert has_projects_table("fl_a")


@pytest.fixture
def fleet(committed_db):
    """Six committed tenants for commands run as processes; dropped afterwards."""
    tenants = [ClientFactory(schema_name=f"fleet_{number}") for number in range(6)]
    yield tenants
    Client.objects.filter(schema_name__startswith="fleet_").delete()
    for tenant in tenants:
        drop_schema(tenant.schema_name)


def test_a_fleet_run_writes_the_set_its_stamps_name_once_and_every_stamp_counts(fleet):
    names = [tenant.schema_name for tenant in fleet]
    for name in names:
        forget(name, "tenant_app", "0007_audit_deletions")
    expected = expected_migrations()

    with CaptureQueriesContext(connection) as queries, set_committed(expected):
        outcomes = list(migrate_dynamic_schemas(names, jobs=1, fail_fast=False, batch=3))

    assert [outcome.error for outcome in outcomes] == [None] * len(names)
    writes_of_sets = [q for q in queries if "INTO public.pgschemas_migration_set" in q["sql"]]
    assert len(writes_of_sets) == 1  # before the schemas, committed
    assert len(set(stamp_ids(names).values())) == 1 and set(stamp_ids(names)) == set(names)
    with CaptureQueriesContext(connection) as reads:
        assert schemas_behind(names, expected) == []
    assert reads_of_migration_tables(reads) == []


def test_a_new_server_process_takes_over_after_so_many_schemas(fleet, monkeypatch):
    monkeypatch.setattr(batches, "SCHEMAS_PER_CONNECTION", 4)
    names = [tenant.schema_name for tenant in fleet]
    for name in names:
        forget(name, "tenant_app", "0007_audit_deletions")

    def server_process() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = server_process()
    pids = []
    for start in range(0, len(names), 2):  # batches of two: 2, then 4 (renewed), then 2
        migrate_dynamic_batch(names[start : start + 2], fail_fast=False)
        pids.append(server_process())

    assert pids[0] == first and pids[1] != pids[0] and pids[2] == pids[1]
    assert schemas_behind(names, expected_migrations()) == []


@pytest.mark.processes
def test_command_line_reports_every_failure_and_exits_1_in_parallel(fleet):
    for tenant in fleet:
        if tenant.schema_name != "fleet_2":
            make_behind(tenant.schema_name)
    make_broken("fleet_2")
    sql('CREATE VIEW "fleet_4".tenant_app_project AS SELECT 1 AS id')  # in the way too

    result = run_manage("migrateschema", "--jobs", "2")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "fleet_2: ProgrammingError" in result.stderr
    assert "fleet_4: ProgrammingError" in result.stderr
    assert "Migrating failed for: " in result.stderr
    assert "schema(s) failed" in result.stdout
    behind = schemas_behind([tenant.schema_name for tenant in fleet], expected_migrations())
    assert behind == ["fleet_2", "fleet_4"]


@pytest.mark.processes
def test_a_terminal_gets_a_live_progress_line(fleet):
    make_behind("fleet_1")
    leader, follower = pty.openpty()
    process = manage("migrateschema", "-s", ":dynamic:", stdout=follower)
    os.close(follower)
    output = read_all(leader)
    process.wait(timeout=60)

    assert process.returncode == 0, output
    assert "\r\x1b[K" in output  # the line is redrawn in place
    assert re.search(r"\d+/\d+ schemas, 0 failed, [\d.]+ schemas/s, \d+ s left", output)


def read_all(descriptor: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 4096)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks).decode()


@pytest.mark.processes
def test_sigkill_midway_leaves_no_half_migrated_schema_and_the_rerun_completes(fleet):
    for tenant in fleet:
        make_behind(tenant.schema_name)
    blocker = connections.create_connection("default")  # a second session holds a lock
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute('LOCK TABLE "fleet_3".auth_permission IN ACCESS EXCLUSIVE MODE')
    process = manage("migrateschema", "--jobs", "2", "-s", ":dynamic:")
    try:
        wait_for_a_blocked_lock_on("fleet_3.auth_permission")
        os.kill(process.pid, signal.SIGKILL)  # the command; its workers notice and stop
        process.communicate(timeout=30)
        wait_for_no_process_in_session(process.pid)
    finally:
        blocker.rollback()
        blocker.close()

    assert not has_projects_table("fleet_3")  # its table was created, then rolled back
    behind = schemas_behind([tenant.schema_name for tenant in fleet], expected_migrations())
    assert "fleet_3" in behind

    result = run_manage("migrateschema", "-s", ":dynamic:", "-v", "2")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Schema 'fleet_3': {TENANT_APP_MIGRATIONS} migration(s) applied" in result.stdout
    assert schemas_behind([tenant.schema_name for tenant in fleet], expected_migrations()) == []
    assert all(has_projects_table(tenant.schema_name) for tenant in fleet)


@pytest.mark.processes
def test_sigkill_mid_batch_rolls_back_the_whole_batch_and_the_rerun_completes(fleet):
    """Six schemas, two workers: batches of three. fleet_3 is migrated, then its batch waits on
    fleet_4: killed there, fleet_3 is not committed either."""
    for tenant in fleet:
        make_behind(tenant.schema_name)
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute('LOCK TABLE "fleet_4".auth_permission IN ACCESS EXCLUSIVE MODE')
    process = manage("migrateschema", "--jobs", "2", "-s", ":dynamic:")
    try:
        wait_for_a_blocked_lock_on("fleet_4.auth_permission")
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        wait_for_no_process_in_session(process.pid)
    finally:
        blocker.rollback()
        blocker.close()

    behind = schemas_behind([tenant.schema_name for tenant in fleet], expected_migrations())
    assert {"fleet_3", "fleet_4", "fleet_5"} <= set(behind)
    assert not has_projects_table("fleet_3") and not has_projects_table("fleet_4")

    result = run_manage("migrateschema", "-s", ":dynamic:")

    assert result.returncode == 0, result.stdout + result.stderr
    assert schemas_behind([tenant.schema_name for tenant in fleet], expected_migrations()) == []


def wait_for_no_process_in_session(session_id: int, timeout: float = 30) -> None:
    """The workers of a killed command exit by themselves (they are in its session)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [
            pid
            for pid in os.listdir("/proc")
            if pid.isdigit() and _session_of(int(pid)) == session_id
        ]
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"workers of the killed command still run: {alive}")


def _session_of(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def wait_for_a_blocked_lock_on(table: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = to_regclass(%s)", [table]
            )
            if cursor.fetchone():
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing waited for a lock on {table}")

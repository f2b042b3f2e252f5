"""A schema made the fast way is the same, catalog entry for catalog entry, as one made by
Django's own ``migrate`` step by step: the fast migrator, a claimed spare, a bulk-made tenant."""

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from pgschemas.fleet import migrator, plans
from pgschemas.fleet.batches import migrate_dynamic_batch
from pgschemas.fleet.plans import expected_migrations, plan_from
from pgschemas.fleet.provisioning import create_and_migrate_schema, create_schema
from pgschemas.fleet.spares import refill_spare_schemas, spare_schema_names
from pgschemas.schema import NamedSchema
from shared_app.models import Client

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db

CATALOG_QUERIES = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence
        FROM pg_class c WHERE c.relnamespace = %(oid)s ORDER BY 1""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
               a.attcollation
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = %(oid)s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2""",
    "indexes": """
        SELECT c.relname, i.relname, replace(pg_get_indexdef(i.oid), %(prefix)s, '')
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE c.relnamespace = %(oid)s ORDER BY 1, 2""",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, k.condeferrable, k.condeferred,
               replace(pg_get_constraintdef(k.oid), %(prefix)s, ''), f.relname,
               fn.nspname = %(name)s
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        LEFT JOIN pg_class f ON f.oid = k.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
        WHERE k.connamespace = %(oid)s ORDER BY 1, 2""",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by,
               last_value
        FROM pg_sequences WHERE schemaname = %(name)s ORDER BY 1""",
    "sequence_owners": """
        SELECT s.relname, t.relname, a.attname
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE s.relnamespace = %(oid)s ORDER BY 1""",
}


def snapshot(schema_name: str) -> dict[str, Any]:
    """Everything a schema holds that a migration can make, with its own name taken out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema_name])
        params = {"oid": cursor.fetchone()[0], "name": schema_name, "prefix": f"{schema_name}."}
        result: dict[str, Any] = {}
        for label, query in CATALOG_QUERIES.items():
            cursor.execute(query, params)
            result[label] = cursor.fetchall()
        for table, kind, _ in result["relations"]:
            if kind != "r":
                continue
            columns = "id, app, name" if table == "django_migrations" else "*"  # not `applied`
            cursor.execute(f'SELECT {columns} FROM "{schema_name}"."{table}" ORDER BY 1')
            result[f"rows of {table}"] = cursor.fetchall()
    return result


def migrated_step_by_step(schema_name: str) -> dict[str, Any]:
    create_schema(schema_name)
    with NamedSchema(schema_name, dynamic=True):
        call_command(DjangoMigrateCommand(), interactive=False, verbosity=0, skip_checks=True)
    return snapshot(schema_name)


@pytest.fixture
def generated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The positions in their plans of the migrations whose statements the migrator generated
    (rather than sending again those kept from an earlier schema); a test clears it once its
    setting up is done."""
    numbers: list[int] = []
    generate = migrator._migrate

    def recording(plan: plans.Plan, number: int, *args: Any, **kwargs: Any) -> None:
        numbers.append(number)
        generate(plan, number, *args, **kwargs)

    monkeypatch.setattr(migrator, "_migrate", recording)
    return numbers


def test_the_snapshot_sees_what_a_migration_makes():
    reference = migrated_step_by_step("eq_django")

    assert ("tenant_app_project", "r", "p") in reference["relations"]
    assert reference["rows of auth_permission"]  # written by a post_migrate handler
    assert len(reference["rows of django_migrations"]) == len(expected_migrations())
    assert any(row[0] == "auth_permission_id_seq" and row[-1] for row in reference["sequences"])
    assert any(row[2] == "f" for row in reference["constraints"])  # foreign keys
    assert reference["indexes"] and reference["columns"]


def test_the_fast_migrator_makes_the_same_schema_as_django_migrate():
    reference = migrated_step_by_step("eq_django")

    create_and_migrate_schema("eq_fast")

    assert snapshot("eq_fast") == reference


def test_later_new_schemas_reuse_the_first_ones_constraint_lookups_and_are_the_same():
    reference = migrated_step_by_step("eq_django")
    create_and_migrate_schema("eq_first")

    with CaptureQueriesContext(connection) as queries:
        create_and_migrate_schema("eq_second")

    lookups = [query for query in queries if "pg_table_is_visible" in str(query["sql"])]
    assert lookups == []  # Django's lookup reads every schema's tables: not asked again
    assert snapshot("eq_first") == reference
    assert snapshot("eq_second") == reference


def test_later_new_schemas_send_the_statements_kept_from_the_first_again(generated):
    reference = migrated_step_by_step("eq_django")
    create_and_migrate_schema("eq_first")
    plan = plan_from(frozenset())
    generated.clear()

    create_and_migrate_schema("eq_second")

    only_djangos_operations = {
        number
        for number, steps in enumerate(plan.steps)
        if all(migrator._sends_the_same_every_time(step.operation) for step in steps)
    }
    assert set(plan.sent) == only_djangos_operations
    assert len(only_djangos_operations) < len(plan.migrations)  # RunPython ones run each time
    assert set(generated) == set(range(len(plan.migrations))) - only_djangos_operations
    assert snapshot("eq_second") == reference


def test_schemas_behind_by_the_same_migrations_get_the_first_ones_statements_again(generated):
    """A field added (and choices changed): the statements sent for the first schema, which read
    nothing first, are sent again as they are for the next ones of the batch."""
    reference = migrated_step_by_step("eq_django")
    # tenant_app 0006 and what comes after it (0007, and a project's own later ones).
    forgotten = frozenset(
        MigrationLoader(None).graph.backwards_plan(("tenant_app", "0006_audit_events"))
    )
    for name in ("eq_first", "eq_second"):
        create_and_migrate_schema(name)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {name}.tenant_app_auditevent DROP COLUMN address")
            for app, migration in forgotten:
                cursor.execute(
                    f"DELETE FROM {name}.django_migrations WHERE app = %s AND name = %s",
                    [app, migration],
                )
    plan = plan_from(expected_migrations() - forgotten)
    generated.clear()

    outcomes = migrate_dynamic_batch(["eq_first", "eq_second"], fail_fast=False)

    assert [(o.applied, o.error) for o in outcomes] == [(len(forgotten), None)] * 2
    djangos_own = {
        number
        for number, steps in enumerate(plan.steps)
        if all(migrator._sends_the_same_every_time(step.operation) for step in steps)
    }
    assert {0, 1} <= djangos_own  # 0006 and 0007
    # Django's own operations generated for the first schema only, the others for each.
    assert sorted(generated) == sorted(
        [*range(len(plan.steps)), *(set(range(len(plan.steps))) - djangos_own)]
    )
    assert all(plan.sent[number].anywhere for number in djangos_own)
    for name in ("eq_first", "eq_second"):
        made = snapshot(name)
        assert made["indexes"] == reference["indexes"]
        assert made["constraints"] == reference["constraints"]
        # The column dropped above leaves its number unused: columns compared without numbers.
        assert [row[:1] + row[2:] for row in made["columns"]] == [
            row[:1] + row[2:] for row in reference["columns"]
        ]


def test_a_claimed_spare_is_the_same_schema_as_django_migrate():
    reference = migrated_step_by_step("eq_django")
    refill_spare_schemas(1)
    [spare] = spare_schema_names()

    tenant = ClientFactory(schema_name="eq_pooled")

    assert spare_schema_names() == []  # it was renamed, not copied
    assert Client.objects.get(pk=tenant.pk).schema_name == "eq_pooled"
    assert snapshot("eq_pooled") == reference


def test_a_bulk_made_tenant_is_the_same_schema_as_django_migrate():
    reference = migrated_step_by_step("eq_django")

    call_command("createtenants", "2", "--prefix", "eq_bulk_", "--jobs", "1", verbosity=0)

    assert snapshot("eq_bulk_1") == reference
    assert snapshot("eq_bulk_2") == reference

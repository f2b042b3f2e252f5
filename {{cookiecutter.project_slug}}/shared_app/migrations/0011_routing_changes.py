"""The routing change log and its triggers on the domain, tenant and plan tables
(pgschemas/routing/changes.py): every process learns what changed in routing from one query."""

from django.db import migrations

from pgschemas.routing.changes import install_sql, uninstall_sql

TABLES = ("shared_app_domain", "shared_app_client", ("shared_app_plan",))


class Migration(migrations.Migration):
    dependencies = [
        ("shared_app", "0008_default_plans"),
        ("shared_app", "0009_billing_state"),  # >>> include_billing <<<
        ("shared_app", "0010_api_usage"),  # >>> include_api <<<
    ]

    operations = [migrations.RunSQL(install_sql(*TABLES), uninstall_sql(*TABLES))]

"""The routing change log and its triggers on the domain, tenant and plan tables
(pgschemas/routing/changes.py): every process learns what changed in routing from one query."""

from django.db import migrations

from pgschemas.routing.changes import install_sql, uninstall_sql

TABLES = ("shared_app_domain", "shared_app_client", ("shared_app_plan",))


class Migration(migrations.Migration):
    dependencies = [
        ("shared_app", "0010_api_usage"),
    ]

    operations = [migrations.RunSQL(install_sql(*TABLES), uninstall_sql(*TABLES))]

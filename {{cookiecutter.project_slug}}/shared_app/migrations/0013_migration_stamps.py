"""Stamps of what each schema's django_migrations holds (pgschemas/fleet/stamps.py): finding the
schemas that are behind reads an index per schema rather than each schema's table."""

from django.db import migrations

from pgschemas.fleet.stamps import install_sql, uninstall_sql


class Migration(migrations.Migration):
    dependencies = [("shared_app", "0012_custom_domains")]

    operations = [migrations.RunSQL(install_sql(), uninstall_sql())]

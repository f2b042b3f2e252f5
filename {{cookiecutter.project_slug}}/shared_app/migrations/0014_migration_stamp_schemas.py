"""The schema of each stamp's table (pgschemas/fleet/stamps.py): finding who is behind in the
whole fleet matches stamps to schemas without reading each table's catalog row."""

from django.db import migrations

from pgschemas.fleet.stamps import add_schema_sql, drop_schema_sql


class Migration(migrations.Migration):
    dependencies = [("shared_app", "0013_migration_stamps")]

    operations = [migrations.RunSQL(add_schema_sql(), drop_schema_sql())]

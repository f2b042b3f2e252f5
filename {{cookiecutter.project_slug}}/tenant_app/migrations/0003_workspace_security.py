from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenant_app", "0002_invitations"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkspaceSecurity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "require_two_factor",
                    models.BooleanField(
                        default=False,
                        help_text="Members without an authenticator app or a passkey set one up before any other page.",
                        verbose_name="Require two-factor for every member",
                    ),
                ),
            ],
            options={"verbose_name_plural": "workspace security"},
        ),
    ]

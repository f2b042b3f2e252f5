"""The default plan catalogue (edit it in the operator admin); every existing workspace goes on
the free plan."""

from django.db import migrations

DEFAULT_PLANS = [
    {
        "slug": "free",
        "name": "Free",
        "is_free": True,
        "position": 0,
        "max_members": 3,
        "max_projects": 3,
        "max_api_requests_per_day": 1_000,  # >>> include_api <<<
    },
    {
        "slug": "pro",
        "name": "Pro",
        "position": 1,
        "monthly_price_cents": 1_200,  # >>> include_billing <<<
        "yearly_price_cents": 12_000,  # >>> include_billing <<<
        "max_members": 50,
        "max_projects": 100,
        "max_api_requests_per_day": 100_000,  # >>> include_api <<<
    },
    {
        "slug": "business",
        "name": "Business",
        "position": 2,
        "monthly_price_cents": 3_000,  # >>> include_billing <<<
        "yearly_price_cents": 30_000,  # >>> include_billing <<<
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("shared_app", "Plan")
    Client = apps.get_model("shared_app", "Client")
    for fields in DEFAULT_PLANS:
        Plan.objects.get_or_create(slug=fields["slug"], defaults=fields)
    Client.objects.filter(plan__isnull=True).update(plan=Plan.objects.get(slug="free"))


class Migration(migrations.Migration):
    dependencies = [("shared_app", "0007_plan")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]

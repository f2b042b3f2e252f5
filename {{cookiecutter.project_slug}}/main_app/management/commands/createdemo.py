from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pgschemas.schema import StaticSchema
from shared_app.models import Client, Domain
from tenant_app.models import Project

DEMO_PROJECTS = ("Website relaunch", "Quarterly report", "Customer onboarding")


class Command(BaseCommand):
    help = (
        "Development only: create the customer 'demo' at demo.localhost with an owner, a member "
        "and a few projects, and an operator admin on www. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default="admin@example.com")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--member-email", default="member@example.com")

    def handle(self, *args: object, **options: str) -> None:
        if not settings.DEBUG:
            raise CommandError("createdemo makes users with known passwords: run it with DEBUG on.")
        User = get_user_model()
        email, password = options["email"], options["password"]
        with transaction.atomic():
            demo = Client.objects.filter(schema_name="demo").first()
            if demo is None:
                demo = Client.objects.create(schema_name="demo", name="Demo Customer")
            Domain.objects.get_or_create(
                domain="demo.localhost", defaults={"tenant": demo, "is_primary": True}
            )
            with StaticSchema("www"):
                ensure_user(email, password, is_staff=True, is_superuser=True)
            with demo:
                ensure_user(email, password, is_staff=True, is_superuser=True, role=User.Role.OWNER)
                ensure_user(options["member_email"], password, role=User.Role.MEMBER)
                for name in DEMO_PROJECTS:  # besides what every new workspace gets (seeding.py)
                    Project.objects.get_or_create(name=name)
        self.stdout.write(
            f"Customer 'demo' is served at demo.localhost: log in as {email} (owner) or "
            f"{options['member_email']} (member), password {password!r}. The operator admin is "
            f"/admin/ on localhost, as {email}."
        )


def ensure_user(email: str, password: str, **fields: object) -> None:
    User = get_user_model()
    if not User.objects.filter(email=email).exists():
        User.objects.create_user(email=email, password=password, **fields)

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pgschemas.schema import StaticSchema
from shared_app.models import Client, Domain


class Command(BaseCommand):
    help = (
        "Development only: create the customer 'demo' at demo.localhost with an admin user, "
        "and an operator admin on www. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")

    def handle(self, *args: object, **options: str) -> None:
        if not settings.DEBUG:
            raise CommandError("createdemo makes users with known passwords: run it with DEBUG on.")
        with transaction.atomic():
            demo = Client.objects.filter(schema_name="demo").first()
            if demo is None:
                demo = Client.objects.create(schema_name="demo", name="Demo Customer")
            Domain.objects.get_or_create(
                domain="demo.localhost", defaults={"tenant": demo, "is_primary": True}
            )
            for schema in (demo, StaticSchema("www")):
                with schema:
                    self._ensure_admin(options["username"], options["password"])
        self.stdout.write(
            f"Customer 'demo' is served at demo.localhost; log in to /admin/ on it or on "
            f"localhost as {options['username']} / {options['password']}."
        )

    def _ensure_admin(self, username: str, password: str) -> None:
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username=username, email="", password=password)

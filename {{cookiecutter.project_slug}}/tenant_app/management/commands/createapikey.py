from django.core.management.base import CommandError, CommandParser

from pgschemas.lookup import schema_named
from pgschemas.management.base import ReportsTenancyErrors

from ...api.keys import create_key
from ...forms import ApiKeyForm


class Command(ReportsTenancyErrors):
    help = (
        "Create an API key for the workspace whose schema is SCHEMA; print it as the last line "
        "(it is stored hashed: it cannot be shown again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", choices=["read", "write"], default="read")

    def handle(self, *args: object, **options: str) -> None:
        workspace = schema_named(options["schema"])
        if not workspace.is_dynamic:
            raise CommandError(f"{options['schema']!r} is no workspace: API keys open workspaces.")
        with workspace:
            form = ApiKeyForm({"name": options["name"], "scope": options["scope"]})
            if not form.is_valid():
                raise CommandError(" ".join(m for ms in form.errors.values() for m in ms))
            full_key = create_key(workspace, form.instance)
        self.stdout.write(f"API key {form.instance.name!r} ({form.instance.scope}) created:")
        self.stdout.write(full_key)

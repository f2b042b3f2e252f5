"""What the package's management commands share."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ..exceptions import TenancyError


class ReportsTenancyErrors(BaseCommand):
    """Turn the package's own errors into ``CommandError``: a message, not a traceback."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except TenancyError as error:
            raise CommandError(str(error)) from error

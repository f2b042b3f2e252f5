from django.apps import AppConfig


class PgSchemasConfig(AppConfig):
    name = "pgschemas"
    verbose_name = "PostgreSQL schemas"

    def ready(self) -> None:
        from . import checks, citus, signals
        from .config import get_tenants_config

        get_tenants_config()  # malformed TENANTS fails start-up, naming the key
        checks.register()
        signals.connect()
        citus.connect()  # does nothing unless settings.PGSCHEMAS_CITUS

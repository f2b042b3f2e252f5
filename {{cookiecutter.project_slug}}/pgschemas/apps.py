from django.apps import AppConfig


class PgSchemasConfig(AppConfig):
    name = "pgschemas"
    verbose_name = "PostgreSQL schemas"

    def ready(self) -> None:
        from . import checks, citus, reachable, signals
        from .config import get_tenants_config

        get_tenants_config()  # malformed TENANTS fails start-up, naming the key
        checks.register()
        signals.connect()
        reachable.install()  # Django's deletions skip tables the active schema lacks
        citus.connect()  # does nothing unless settings.PGSCHEMAS_CITUS

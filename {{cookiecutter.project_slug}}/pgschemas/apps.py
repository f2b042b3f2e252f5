from django.apps import AppConfig

from . import checks, reachable
from .config import get_tenants_config
from .routing import host_map


class PgSchemasConfig(AppConfig):
    name = "pgschemas"
    verbose_name = "PostgreSQL schemas"

    def ready(self) -> None:
        get_tenants_config()  # malformed TENANTS fails start-up, naming the key
        checks.register()
        host_map.connect()  # a tenant or domain saved here: routing checks again at once
        reachable.install()  # Django's deletions skip tables the active schema lacks

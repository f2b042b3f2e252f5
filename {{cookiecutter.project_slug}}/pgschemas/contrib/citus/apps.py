from django.apps import AppConfig

from . import sharding


class CitusConfig(AppConfig):
    """Tenants as distributed schemas of a Citus cluster (does nothing unless PGSCHEMAS_CITUS)."""

    name = "pgschemas.contrib.citus"
    label = "pgschemas_citus"
    verbose_name = "PostgreSQL schemas on Citus"

    def ready(self) -> None:
        sharding.connect()

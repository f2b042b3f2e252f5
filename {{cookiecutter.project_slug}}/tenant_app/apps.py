from django.apps import AppConfig

from pgschemas.signals import schema_created


class TenantAppConfig(AppConfig):
    name = "tenant_app"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from . import audit, seeding  # models can be imported only once the apps are ready

        schema_created.connect(seeding.seed_workspace, dispatch_uid="tenant_app_seeding")
        audit.connect()

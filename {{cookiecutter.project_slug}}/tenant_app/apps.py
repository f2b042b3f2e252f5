from django.apps import AppConfig


class TenantAppConfig(AppConfig):
    name = "tenant_app"
    verbose_name = "Workspace"

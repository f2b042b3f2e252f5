from django.apps import AppConfig


class SharedAppConfig(AppConfig):
    name = "shared_app"
    verbose_name = "Customers"

    def ready(self) -> None:
        from . import workspace_index

        workspace_index.connect()

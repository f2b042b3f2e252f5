from django.apps import AppConfig


class SharedAppConfig(AppConfig):
    name = "shared_app"
    verbose_name = "Customers"

    def ready(self) -> None:
        # Imported here: they use the models, which exist only once the apps are loaded.
        from . import archive_actions, workspace_index

        workspace_index.connect()
        archive_actions.register_actions()  # export and restore, beside lifecycle's actions

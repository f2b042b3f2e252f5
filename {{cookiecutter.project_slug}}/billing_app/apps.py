from django.apps import AppConfig


class BillingAppConfig(AppConfig):
    name = "billing_app"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Imported here: they use the models, which exist only once the apps are loaded.
        from . import checks, overrides  # noqa: F401  (checks registers the checks)

        overrides.register_actions()  # comp a plan, extend a trial, beside lifecycle's actions

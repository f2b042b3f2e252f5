from django.apps import AppConfig


class SharedAppConfig(AppConfig):
    name = "shared_app"
    verbose_name = "Customers"

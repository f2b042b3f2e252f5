from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"


class RateLimitedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose default site logs in through allauth (users/admin_login.py)."""

    default = False  # named in TENANTS' APPS; UsersConfig stays the default of "users"
    default_site = "users.admin_login.RateLimitedAdminSite"

"""Plain single-schema Django: the baseline of every benchmark.

Django's own PostgreSQL engine on a database of its own (public schema only), with what a tenant
schema holds (plus contenttypes), no pgschemas app, middleware or router, and the tenant URLconf
as the root one. A middleware gives each request the workspace that a tenant's request has, so
both sides render the same page. The alias "other" is a second connection to the same database,
for the benchmark that alternates between two connections as pgschemas alternates between two
tenants.
"""

import os

from config.settings import test as project_settings
from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES as PROJECT_DATABASES
from config.settings.test import MIDDLEWARE, TENANTS

_plain = {
    **PROJECT_DATABASES["default"],
    "ENGINE": "django.db.backends.postgresql",
    "NAME": os.environ["BENCH_PLAIN_DATABASE_NAME"],
}
DATABASES = {"default": _plain, "other": dict(_plain)}
DATABASE_ROUTERS = []

INSTALLED_APPS = list(
    dict.fromkeys(
        [
            "django.contrib.contenttypes",
            "django.contrib.staticfiles",
            "django.contrib.messages",
            "shared_app",  # the workspace's settings views use its services (lifecycle, renaming)
            *TENANTS["default"]["APPS"],
        ]
    )
)
MIDDLEWARE = [
    "plain_workspace.workspace_middleware",
    *(name for name in MIDDLEWARE if not name.startswith("pgschemas.")),
]
ROOT_URLCONF = TENANTS["default"]["URLCONF"]
# API rate limits high enough never to refuse a benchmark's request (both sides count alike),
# in a bake that has the API.
if hasattr(project_settings, "REST_FRAMEWORK"):
    UNLIMITED = "1000000/m"
    REST_FRAMEWORK = {
        **project_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("api_key", "workspace", "anonymous"), UNLIMITED),
    }

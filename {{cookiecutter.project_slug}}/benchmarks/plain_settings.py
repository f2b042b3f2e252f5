"""Plain single-schema Django over one tenant's tables: the baseline of every benchmark.

Django's own PostgreSQL engine with the schema put on the search_path when connecting, no
pgschemas app, middleware or router, and the tenant URLconf as the root one. The alias "other"
reads a second tenant the same way, for the benchmark that alternates between two tenants.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES as PROJECT_DATABASES
from config.settings.test import MIDDLEWARE, TENANTS


def _plain_database(schema_name: str) -> dict:
    database = PROJECT_DATABASES["default"]
    options = dict(database.get("OPTIONS", {}))
    options["options"] = f"{options.get('options', '')} -c search_path={schema_name},public".strip()
    return {
        **database,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["BENCH_DATABASE_NAME"],
        "OPTIONS": options,
    }


DATABASES = {
    "default": _plain_database(os.environ["BENCH_SCHEMA"]),
    "other": _plain_database(os.environ["BENCH_OTHER_SCHEMA"]),
}
DATABASE_ROUTERS = []

# What a tenant schema holds, plus the apps whose tables it reads from public (contenttypes).
INSTALLED_APPS = list(
    dict.fromkeys(
        [
            "django.contrib.contenttypes",
            "django.contrib.staticfiles",
            "django.contrib.messages",
            *TENANTS["default"]["APPS"],
        ]
    )
)
MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("pgschemas.")]
ROOT_URLCONF = TENANTS["default"]["URLCONF"]

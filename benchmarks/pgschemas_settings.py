"""The baked project's test settings, on the benchmark database that run.py created."""

import os

from config.settings import test as project_settings
from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES = {"default": {**DATABASES["default"], "NAME": os.environ["BENCH_DATABASE_NAME"]}}
PGSCHEMAS_SPARE_SCHEMAS = 0  # spares are made by the benchmarks themselves, when they say so
# API rate limits high enough never to refuse a benchmark's request (both sides count alike),
# in a bake that has the API.
if hasattr(project_settings, "REST_FRAMEWORK"):
    UNLIMITED = "1000000/m"
    REST_FRAMEWORK = {
        **project_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("api_key", "workspace", "anonymous"), UNLIMITED),
    }

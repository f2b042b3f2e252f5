"""The baked project's test settings, on the benchmark database that run.py created."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES = {"default": {**DATABASES["default"], "NAME": os.environ["BENCH_DATABASE_NAME"]}}
PGSCHEMAS_SPARE_SCHEMAS = 0  # spares are made by the benchmarks themselves, when they say so

"""The project's test settings, on the benchmark database that run.py created."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES = {"default": {**DATABASES["default"], "NAME": os.environ["BENCH_DATABASE_NAME"]}}

"""The test settings on the test database, for commands and servers that tests start as processes.

PGSCHEMAS_TEST_DATABASE=test_postgres DJANGO_SETTINGS_MODULE=tests.subprocess_settings
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["PGSCHEMAS_TEST_DATABASE"]

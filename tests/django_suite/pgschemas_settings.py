"""Settings for Django's own runtests.py with our ENGINE (see tests/test_django_suite.py).

runtests.py adds the apps, middleware and templates of each test module; only the database is
ours. It comes from PGSCHEMAS_SUITE_DATABASE (JSON: ENGINE, HOST, PORT, USER, PASSWORD, NAME).
"""

import json
import os

_database = json.loads(os.environ["PGSCHEMAS_SUITE_DATABASE"])

DATABASES = {
    "default": _database,
    "other": {**_database, "NAME": f"{_database['NAME']}_other"},
}
SECRET_KEY = "django_tests_secret_key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = False

"""Settings for Django's own runtests.py with our ENGINE (see tests/test_django_suite.py).

runtests.py adds the apps, middleware and templates of each test module; only the database is
ours. The server comes from PGSCHEMAS_SUITE_DATABASE (JSON: HOST, PORT, USER, PASSWORD, NAME).
"""

import json
import os

_server = json.loads(os.environ["PGSCHEMAS_SUITE_DATABASE"])
_engine = {"ENGINE": "pgschemas.postgresql_backend", **_server}

DATABASES = {
    "default": _engine,
    "other": {**_engine, "NAME": f"{_server['NAME']}_other"},
}
SECRET_KEY = "django_tests_secret_key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = False

"""Tests: a real PostgreSQL (DATABASE_URL, or the embedded server), fast password hashing."""

import django

from config.database import client_programs_dir, database_settings

from .base import *  # noqa: F403
from .base import BASE_DIR, env

# Fixed, so every bake and every test run is the same; it signs nothing outside the tests.
SECRET_KEY = "test-only-insecure-key-never-use-outside-tests-0123456789abcdefghijklmnop"
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": database_settings(env, embedded_data_dir=BASE_DIR / ".pgdata")}
PGSCHEMAS_PG_BIN_DIR = client_programs_dir(env)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # links to workspaces: http://acme.example.com/
# Passkeys over plain http (development servers and tests on localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
WORKSPACE_URL_PORT = None
# E-mail: Django's test runner (and pytest-django) swap in the memory backend; Django 6.1 also
# wants MAILERS set.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run inline, in the caller's schema; tests/ of the template run a real worker and broker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_AUTOREFRESH = True  # static files from the finders: no collectstatic before tests
WORKSPACE_WELCOME_PROJECTS: list[str] = []  # tests start from empty workspaces
PGSCHEMAS_SPARE_SCHEMAS = 0  # no background refills racing the tests; tests fill pools by hand
# pg_dump reads committed data only: tests that purge name their own export (test_lifecycle.py)
# or test the archive itself (test_tenant_archive.py).
PGSCHEMAS_PURGE_EXPORT = ""

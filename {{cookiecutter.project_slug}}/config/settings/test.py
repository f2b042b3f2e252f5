"""Tests: a real PostgreSQL (DATABASE_URL, or the embedded server), fast password hashing."""

from config.database import database_settings

from .base import *  # noqa: F403
from .base import BASE_DIR, env

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="!!!SET DJANGO_SECRET_KEY!!!",  # random, written at bake time
)
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": database_settings(env, embedded_data_dir=BASE_DIR / ".pgdata")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PGSCHEMAS_SPARE_SCHEMAS = 0  # no background refills racing the tests; tests fill pools by hand

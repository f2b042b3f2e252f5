"""Production: every secret from the environment; DATABASE_URL is required."""

from config.database import database_settings

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DATABASES = {"default": database_settings(env, embedded_data_dir=None)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Host -> tenant routing is cached here: share it between processes (e.g. redis://...) so that a
# changed domain is forgotten everywhere at once. The default only suits a single process.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60)
SECURE_CONTENT_TYPE_NOSNIFF = True

"""Production: every secret from the environment; DATABASE_URL and REDIS_URL are required."""

import django

from config.database import database_settings

from .base import *  # noqa: F403
from .base import DOMAIN_NAME, PROJECT_NAME, STORAGES, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DATABASES = {"default": database_settings(env, embedded_data_dir=None)}
# One connection per request, closed at its end (0), checked before reuse when kept longer.
# Under ASGI every request runs its sync code on a thread of its own: connections kept there
# (CONN_MAX_AGE > 0) pile up until PostgreSQL refuses clients. Raise it only for WSGI workers.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Redis: the cache of the apps (keys per schema) and Celery's broker. Host routing needs no shared
# cache (see pgschemas/routing/host_map.py).
REDIS_URL = env.str("REDIS_URL")
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_FUNCTION": "pgschemas.contrib.cache.make_key",
    },
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)

# Static files: hashed names and gzip/brotli copies written by collectstatic, served by whitenoise.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Rate limits count the client's address, not the proxy's. Trust the proxy's header only when a
# proxy you run sets it: ALLAUTH_TRUSTED_PROXY_COUNT proxies append to X-Forwarded-For (0: the
# header is ignored), or ALLAUTH_TRUSTED_CLIENT_IP_HEADER names the one header it sets instead.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)

# Operators (www's staff) set up two-factor before any other page (docs/trust.md).
OPERATORS_REQUIRE_TWO_FACTOR = env.bool("OPERATORS_REQUIRE_TWO_FACTOR", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# HSTS: a year, for the domain and every sub-domain (each workspace is one). Not on the browsers'
# preload list by default: leaving it takes months; opt in with DJANGO_SECURE_HSTS_PRELOAD once
# sure (check --deploy's warning that preload is off is silenced for that reason).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# CSRF: every form of the product posts to its own host, which needs no trusted origin. Never
# trust the customers' sub-domains (https://*.DOMAIN_NAME): anyone can make a workspace there,
# and www's operator admin would take its posts.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# E-mail through django-anymail (Mailgun here; any provider of anymail works the same way).
EMAIL_BACKEND_PATH = env.str(
    "DJANGO_EMAIL_BACKEND", default="anymail.backends.mailgun.EmailBackend"
)
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
else:
    EMAIL_BACKEND = EMAIL_BACKEND_PATH
ANYMAIL = {
    "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY"),
    "MAILGUN_SENDER_DOMAIN": env.str("MAILGUN_DOMAIN", default=f"mg.{DOMAIN_NAME}"),
    "MAILGUN_API_URL": env.str("MAILGUN_API_URL", default="https://api.mailgun.net/v3"),
}
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default=f"{PROJECT_NAME} <noreply@{DOMAIN_NAME}>"
)
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Error e-mails go to these addresses (comma-separated); Django 6 takes plain addresses.
ADMIN_EMAILS = env.list("DJANGO_ADMINS", default=[])
ADMINS = ADMIN_EMAILS if django.VERSION >= (6, 0) else [(email, email) for email in ADMIN_EMAILS]

# Error reporting, only when SENTRY_DSN is set; each event is tagged with its tenant's schema.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    from pgschemas.contrib.sentry import tag_with_schema

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        before_send=tag_with_schema,
    )

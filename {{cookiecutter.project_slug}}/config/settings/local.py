"""Development: DEBUG on, the embedded PostgreSQL unless DATABASE_URL is set, *.localhost routed."""

import django

from config.database import client_programs_dir, database_settings
from devtools.secret_key import development_secret_key
from pgschemas.routing.allowed_hosts import RoutedHosts

from .base import *  # noqa: F403
from .base import BASE_DIR, TENANTS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# DJANGO_SECRET_KEY, else a key made on first use and kept in .env (git-ignored).
SECRET_KEY = development_secret_key(BASE_DIR / ".env")
# As in base: these names, and the hosts the routing serves (verified custom domains).
ALLOWED_HOSTS = RoutedHosts(
    env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])
)

DATABASES = {"default": database_settings(env, embedded_data_dir=BASE_DIR / ".pgdata")}
PGSCHEMAS_PG_BIN_DIR = client_programs_dir(env)

# http://localhost:8000/ is www; a Domain row "<name>.localhost" routes to that customer.
TENANTS["www"]["DOMAINS"] = [*TENANTS["www"]["DOMAINS"], "localhost", "127.0.0.1"]
# >>> include_blog
TENANTS["blog"]["DOMAINS"] = [*TENANTS["blog"]["DOMAINS"], "blog.localhost"]
# <<< include_blog

if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Passkeys over plain http (development servers and tests on localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
TENANT_DOMAIN_SUFFIX = env.str("TENANT_DOMAIN_SUFFIX", default="localhost")
# Links to workspaces: http://<name>.localhost:8000/ (runserver's port).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
WORKSPACE_URL_PORT = env.int("WORKSPACE_URL_PORT", default=8000)

# Tasks run inline unless a broker is set up (CELERY_TASK_ALWAYS_EAGER=false, REDIS_URL).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

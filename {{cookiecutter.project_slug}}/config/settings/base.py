"""Settings shared by every environment. Tenancy: see TENANTS below and pgschemas/."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # real environment variables win

PROJECT_NAME = "{{ cookiecutter.project_name }}"
DOMAIN_NAME = env.str("DJANGO_DOMAIN_NAME", default="{{ cookiecutter.domain_name }}")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[DOMAIN_NAME, f".{DOMAIN_NAME}"])

# Each key is a schema. "public" holds what all tenants share and is never routed; static tenants
# are routed by DOMAINS; "default" describes every dynamic tenant (a shared_app.Client row).
TENANTS = {
    "public": {
        "APPS": [
            "django.contrib.contenttypes",
            "django.contrib.staticfiles",
            "django.contrib.messages",
            "pgschemas",
            "shared_app",
        ],
        "TENANT_MODEL": "shared_app.Client",
        "DOMAIN_MODEL": "shared_app.Domain",
    },
    "www": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.admin",
            "main_app",
        ],
        "DOMAINS": [DOMAIN_NAME, f"www.{DOMAIN_NAME}"],
        "URLCONF": "main_app.urls",
    },
    # >>> include_blog
    "blog": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "blog_app",
        ],
        "DOMAINS": [f"blog.{DOMAIN_NAME}", f"help.{DOMAIN_NAME}"],
        "URLCONF": "blog_app.urls",
    },
    # <<< include_blog
    "default": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.admin",
            "tenant_app",
        ],
        "URLCONF": "tenant_app.urls",
    },
}

INSTALLED_APPS = []
for schema in TENANTS:
    INSTALLED_APPS += [app for app in TENANTS[schema]["APPS"] if app not in INSTALLED_APPS]

ROOT_URLCONF = TENANTS["default"]["URLCONF"]

DATABASE_ROUTERS = ["pgschemas.routers.SyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    "pgschemas.middleware.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.project",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "{{ cookiecutter.timezone }}"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# How long a host -> tenant lookup is cached. Use a shared cache (Redis, Memcached) in production
# so that every process forgets a changed domain at once.
PGSCHEMAS_DOMAIN_CACHE_SECONDS = env.int("PGSCHEMAS_DOMAIN_CACHE_SECONDS", default=300)

# Run tenants on a Citus cluster (DATABASE_URL = its coordinator): each tenant's schema becomes a
# distributed schema placed on one worker. See the README's section on Citus.
PGSCHEMAS_CITUS = env.bool("PGSCHEMAS_CITUS", default=False)

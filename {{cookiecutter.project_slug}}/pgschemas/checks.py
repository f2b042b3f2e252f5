"""System checks for the tenancy settings (ids pgschemas.E0xx for errors, W0xx for warnings)."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connections
from django.utils.module_loading import import_string

from .config import DEFAULT, PUBLIC, TenantsConfig, get_tenants_config
from .middleware import TenantMainMiddleware
from .postgresql_backend.pooling import PoolerError

CONTENTTYPES = "django.contrib.contenttypes"
SESSIONS = "django.contrib.sessions"
ENGINE = "pgschemas.postgresql_backend"
MIDDLEWARE = "pgschemas.middleware.TenantMainMiddleware"
# Middleware that may run before the tenant is known: it touches no tenant data. Django's
# security middleware only redirects to HTTPS and adds headers, so the pages that routing answers
# itself (unknown hosts, a tenant's status page) carry them too.
ALLOWED_BEFORE_MIDDLEWARE = frozenset(
    {
        "pgschemas.contrib.health.health_check_middleware",
        "pgschemas.contrib.tls_ask.tls_ask_middleware",
        "pgschemas.routing.allowed_hosts.routed_hosts_middleware",
        "django.middleware.security.SecurityMiddleware",
    }
)
ROUTER = "pgschemas.routers.SyncRouter"


def register() -> None:
    checks.register(check_tenant_apps)
    checks.register(check_wiring)
    checks.register(check_pooler, checks.Tags.database)


def _apps_by_schema(config: TenantsConfig) -> dict[str, tuple[str, ...]]:
    apps = {PUBLIC: config.public_apps, DEFAULT: config.default_apps}
    apps.update({name: tenant.apps for name, tenant in config.static.items()})
    return apps


def _user_app() -> str:
    from django.apps import apps

    return apps.get_app_config(settings.AUTH_USER_MODEL.split(".")[0]).name


def check_tenant_apps(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    apps_by_schema = _apps_by_schema(get_tenants_config())
    if CONTENTTYPES not in apps_by_schema[PUBLIC]:
        errors.append(
            checks.Error(
                f"'{CONTENTTYPES}' must be in TENANTS['public']['APPS'].",
                hint="Content types of every tenant are stored once, in the public schema.",
                id="pgschemas.E001",
            )
        )
    for schema, apps in apps_by_schema.items():
        if schema != PUBLIC and CONTENTTYPES in apps:
            errors.append(
                checks.Error(
                    f"'{CONTENTTYPES}' must live in the public schema only, "
                    f"not in TENANTS['{schema}']['APPS'].",
                    hint=f"Remove it from TENANTS['{schema}']['APPS'].",
                    id="pgschemas.E001",
                )
            )
    user_app = _user_app()
    for schema, apps in apps_by_schema.items():
        if SESSIONS in apps and user_app not in apps:
            errors.append(
                checks.Error(
                    f"TENANTS['{schema}']['APPS'] has '{SESSIONS}' but not '{user_app}', "
                    "the app of AUTH_USER_MODEL.",
                    hint="Sessions must live where their users live, so that sessions of one "
                    "user base are never read by another: add the user app or drop sessions.",
                    id="pgschemas.E002",
                )
            )
    return errors


def check_wiring(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if settings.DATABASES.get("default", {}).get("ENGINE") != ENGINE:
        errors.append(
            checks.Error(
                f"DATABASES['default']['ENGINE'] must be '{ENGINE}'.",
                hint="Without it, queries never switch schemas.",
                id="pgschemas.E003",
            )
        )
    if ROUTER not in getattr(settings, "DATABASE_ROUTERS", []):
        errors.append(
            checks.Error(
                f"DATABASE_ROUTERS must contain '{ROUTER}'.",
                hint="Without it, every app is migrated into every schema.",
                id="pgschemas.E004",
            )
        )
    if not _tenant_middleware_comes_first(list(settings.MIDDLEWARE)):
        errors.append(
            checks.Warning(
                f"'{MIDDLEWARE}' (or a subclass) should come first in MIDDLEWARE "
                f"(only {', '.join(sorted(ALLOWED_BEFORE_MIDDLEWARE))} may come before it).",
                hint="Middleware before it runs in the public schema, not the request's tenant.",
                id="pgschemas.W001",
            )
        )
    return errors


def check_pooler(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Run by ``migrate`` and ``check --database``: the session form refuses a pooler."""
    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        if connections[alias].settings_dict["ENGINE"] != ENGINE:
            continue
        try:
            connections[alias].ensure_connection()
        except PoolerError as error:
            errors.append(checks.Error(str(error), id="pgschemas.E005"))
    return errors


def _tenant_middleware_comes_first(middleware: list[str]) -> bool:
    """Whether ``TenantMainMiddleware``, or a subclass of it, comes first."""
    position = next((i for i, path in enumerate(middleware) if _is_tenant_middleware(path)), None)
    if position is None:
        return False
    return set(middleware[:position]) <= ALLOWED_BEFORE_MIDDLEWARE


def _is_tenant_middleware(path: str) -> bool:
    try:
        middleware = import_string(path)
    except ImportError:
        return False  # Django's own start-up reports a middleware that cannot be imported
    return isinstance(middleware, type) and issubclass(middleware, TenantMainMiddleware)

"""System checks and TENANTS validation: what a misconfiguration tells the developer."""

import copy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from pgschemas.checks import check_tenant_apps, check_wiring
from pgschemas.config import get_tenants_config, parse_tenants
from pgschemas.middleware import TenantMainMiddleware


def tenants_with(change) -> dict:
    tenants = copy.deepcopy(settings.TENANTS)
    change(tenants)
    return tenants


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_shipped_settings_pass_every_check():
    assert check_tenant_apps() + check_wiring() == []


def test_contenttypes_outside_public_is_an_error():
    tenants = tenants_with(lambda t: t["default"]["APPS"].append("django.contrib.contenttypes"))

    with override_settings(TENANTS=tenants):
        errors = check_tenant_apps()

    assert ids(errors) == ["pgschemas.E001"]
    assert "TENANTS['default']" in errors[0].msg


def test_contenttypes_missing_from_public_is_an_error():
    tenants = tenants_with(lambda t: t["public"]["APPS"].remove("django.contrib.contenttypes"))

    with override_settings(TENANTS=tenants):
        assert ids(check_tenant_apps()) == ["pgschemas.E001"]


def test_sessions_without_the_user_app_is_an_error():
    tenants = tenants_with(lambda t: t["www"]["APPS"].remove("users"))

    with override_settings(TENANTS=tenants):
        errors = check_tenant_apps()

    assert ids(errors) == ["pgschemas.E002"]
    assert "TENANTS['www']" in errors[0].msg and "'users'" in errors[0].msg


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_missing_engine_router_and_late_middleware_are_reported():
    databases = {
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql"}
    }
    tenant_middleware = "pgschemas.middleware.TenantMainMiddleware"
    middleware = [*(m for m in settings.MIDDLEWARE if m != tenant_middleware), tenant_middleware]

    with override_settings(DATABASES=databases, DATABASE_ROUTERS=[], MIDDLEWARE=middleware):
        assert ids(check_wiring()) == ["pgschemas.E003", "pgschemas.E004", "pgschemas.W001"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.pop("public"), 'TENANTS["public"] must be a dict'),
        (lambda t: t.pop("default"), 'TENANTS["default"] must be a dict'),
        (lambda t: t["public"].pop("TENANT_MODEL"), 'TENANTS["public"]["TENANT_MODEL"]'),
        (
            lambda t: t["public"].update(URLCONF="x.urls"),
            'TENANTS["public"] must not set "URLCONF"',
        ),
        (lambda t: t["default"].update(DOMAINS=["a.test"]), 'TENANTS["default"] must not set'),
        (lambda t: t["www"].pop("URLCONF"), 'TENANTS["www"]["URLCONF"]'),
        (
            lambda t: t["www"].update(DOMAINS="example.com"),
            'TENANTS["www"]["DOMAINS"] must be a list',
        ),
        (lambda t: t.update(Shop=t["www"]), "TENANTS key 'Shop'"),
        (lambda t: t.update(shop={**t["www"]}), 'TENANTS["shop"]["DOMAINS"] repeats'),
    ],
)
def test_malformed_tenants_raise_improperly_configured_naming_the_key(change, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_tenants(tenants_with(change))

    assert message in str(error.value)


def test_parsed_tenants_follow_override_settings():
    tenants = tenants_with(lambda t: t["www"].update(DOMAINS=["other.test"]))

    with override_settings(TENANTS=tenants):
        assert get_tenants_config().static["www"].domains == ("other.test",)

    assert get_tenants_config().static["www"].domains != ("other.test",)


def test_only_the_health_check_may_come_before_the_tenant_middleware():
    tenant_middleware = "pgschemas.middleware.TenantMainMiddleware"
    health_first = ["pgschemas.contrib.health.health_check_middleware", tenant_middleware]
    security_first = ["django.middleware.security.SecurityMiddleware", tenant_middleware]
    sessions_first = ["django.contrib.sessions.middleware.SessionMiddleware", tenant_middleware]

    with override_settings(MIDDLEWARE=health_first):
        assert ids(check_wiring()) == []
    with override_settings(MIDDLEWARE=security_first):
        assert ids(check_wiring()) == []
    with override_settings(MIDDLEWARE=sessions_first):
        assert ids(check_wiring()) == ["pgschemas.W001"]


class CustomTenantMiddleware(TenantMainMiddleware):
    """A project's own routing middleware, e.g. one that records the route for logging."""


def test_a_subclass_of_the_tenant_middleware_counts_as_the_tenant_middleware():
    subclass_first = [
        "pgschemas.contrib.health.health_check_middleware",
        "tests.tenancy.test_checks.CustomTenantMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
    ]
    with override_settings(MIDDLEWARE=subclass_first):
        assert ids(check_wiring()) == []
    with override_settings(MIDDLEWARE=subclass_first[::-1]):
        assert ids(check_wiring()) == ["pgschemas.W001"]

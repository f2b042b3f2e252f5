"""``settings.TENANTS`` parsed once into a typed object, re-parsed when the setting changes."""

from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver

from .names import PUBLIC, check_schema_name

if TYPE_CHECKING:
    from .models import DomainMixin, TenantMixin

DEFAULT = "default"


@dataclass(frozen=True)
class StaticTenantConfig:
    name: str
    apps: tuple[str, ...]
    domains: tuple[str, ...]
    urlconf: str


@dataclass(frozen=True)
class TenantsConfig:
    public_apps: tuple[str, ...]
    tenant_model: str
    domain_model: str
    static: dict[str, StaticTenantConfig]
    default_apps: tuple[str, ...]
    default_urlconf: str

    @cached_property
    def reserved_names(self) -> frozenset[str]:
        """Names a dynamic tenant may not take: every key of TENANTS."""
        return frozenset({PUBLIC, DEFAULT, *self.static})

    @cached_property
    def static_by_domain(self) -> dict[str, StaticTenantConfig]:
        return {domain: tenant for tenant in self.static.values() for domain in tenant.domains}

    def apps_of(self, schema_name: str, *, dynamic: bool) -> tuple[str, ...]:
        if dynamic:
            return self.default_apps
        if schema_name == PUBLIC:
            return self.public_apps
        return self.static[schema_name].apps


def _section(tenants: dict, key: str) -> dict:
    section = tenants.get(key)
    if not isinstance(section, dict):
        raise ImproperlyConfigured(f'TENANTS["{key}"] must be a dict with at least "APPS".')
    return section


def _strings(section: dict, key: str, field: str) -> tuple[str, ...]:
    value = section.get(field)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ImproperlyConfigured(f'TENANTS["{key}"]["{field}"] must be a list of strings.')
    return tuple(value)


def _string(section: dict, key: str, field: str) -> str:
    value = section.get(field)
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(f'TENANTS["{key}"]["{field}"] must be a non-empty string.')
    return value


def _reject(section: dict, key: str, fields: tuple[str, ...], why: str) -> None:
    for field in fields:
        if field in section:
            raise ImproperlyConfigured(f'TENANTS["{key}"] must not set "{field}": {why}')


def parse_tenants(tenants: object) -> TenantsConfig:
    """Validate the TENANTS setting; every error names the key to fix."""
    if not isinstance(tenants, dict):
        raise ImproperlyConfigured("TENANTS must be a dict with the keys 'public' and 'default'.")
    public = _section(tenants, PUBLIC)
    _reject(public, PUBLIC, ("DOMAINS", "URLCONF"), "the public schema is never routed.")
    default = _section(tenants, DEFAULT)
    _reject(default, DEFAULT, ("DOMAINS",), "dynamic tenants take their domains from the database.")
    static: dict[str, StaticTenantConfig] = {}
    seen_domains: dict[str, str] = {}
    for key, section in tenants.items():
        if key in (PUBLIC, DEFAULT):
            continue
        try:
            check_schema_name(key)
        except ValidationError as error:
            raise ImproperlyConfigured(f"TENANTS key {key!r}: {error.messages[0]}") from None
        section = _section(tenants, key)
        domains = tuple(domain.lower() for domain in _strings(section, key, "DOMAINS"))
        for domain in domains:
            if domain in seen_domains:
                raise ImproperlyConfigured(
                    f'TENANTS["{key}"]["DOMAINS"] repeats {domain!r}, '
                    f'already routed to "{seen_domains[domain]}".'
                )
            seen_domains[domain] = key
        static[key] = StaticTenantConfig(
            name=key,
            apps=_strings(section, key, "APPS"),
            domains=domains,
            urlconf=_string(section, key, "URLCONF"),
        )
    return TenantsConfig(
        public_apps=_strings(public, PUBLIC, "APPS"),
        tenant_model=_string(public, PUBLIC, "TENANT_MODEL"),
        domain_model=_string(public, PUBLIC, "DOMAIN_MODEL"),
        static=static,
        default_apps=_strings(default, DEFAULT, "APPS"),
        default_urlconf=_string(default, DEFAULT, "URLCONF"),
    )


@cache
def get_tenants_config() -> TenantsConfig:
    return parse_tenants(getattr(settings, "TENANTS", None))


def get_tenant_model() -> type["TenantMixin"]:
    return apps.get_model(get_tenants_config().tenant_model)


def get_domain_model() -> type["DomainMixin"]:
    return apps.get_model(get_tenants_config().domain_model)


@receiver(setting_changed)
def _forget_parsed_tenants(*, setting: str, **kwargs: object) -> None:
    if setting == "TENANTS":
        get_tenants_config.cache_clear()


@cache
def app_labels(app_entries: tuple[str, ...]) -> frozenset[str]:
    """Labels of the installed apps named in an APPS list (module paths or AppConfig paths)."""
    wanted = set(app_entries)
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name in wanted or f"{type(config).__module__}.{type(config).__name__}" in wanted
    )

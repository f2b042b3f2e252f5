"""Which schema and host names are allowed, and how schema names are written into SQL."""

import re

from django.core.exceptions import ValidationError

PUBLIC = "public"  # the schema of what every tenant shares
SCHEMA_NAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
ALWAYS_RESERVED = frozenset({PUBLIC, "information_schema", "default"})
# Spare schemas (kept migrated for new tenants) are named "_spare_<time><random>".
SPARE_PREFIX = "_spare_"
HOST_NAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def check_schema_name(name: object, reserved: frozenset[str] = frozenset()) -> str:
    """Return ``name`` if PostgreSQL keeps it exactly as written unquoted; raise ValidationError.

    Lower-case only, because PostgreSQL folds unquoted identifiers: a mixed-case schema created
    quoted would not be the one an unquoted ``search_path`` names.
    """
    if not isinstance(name, str) or not SCHEMA_NAME_PATTERN.fullmatch(name):
        raise ValidationError(
            "%(name)r is not a valid schema name: use 1 to 63 lower-case letters, digits and "
            "underscores, starting with a letter or underscore (for example 'acme_corp').",
            code="invalid_schema_name",
            params={"name": name},
        )
    if name.startswith("pg_"):
        raise ValidationError(
            "%(name)r is not a valid schema name: names starting with 'pg_' belong to PostgreSQL.",
            code="reserved_schema_name",
            params={"name": name},
        )
    if name in ALWAYS_RESERVED or name in reserved:
        raise ValidationError(
            "%(name)r is reserved: pick another schema name (for example '%(name)s_tenant').",
            code="reserved_schema_name",
            params={"name": name},
        )
    return name


def quote_schema_name(name: str) -> str:
    """Quote a schema name for SQL after checking that it is a valid name at all."""
    if not SCHEMA_NAME_PATTERN.fullmatch(name):
        raise ValueError(f"Refusing to put {name!r} into SQL: not a valid schema name.")
    return f'"{name}"'


def normalize_host(host: str) -> str:
    """``Acme.Example.com:8000`` -> ``acme.example.com``."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 literal, with or without a port
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0].rstrip(".")


def check_domain(domain: str) -> str:
    if not HOST_NAME_PATTERN.fullmatch(domain):
        raise ValidationError(
            "%(domain)r is not a valid domain: use a lower-case host name without scheme, port "
            "or path, for example 'acme.example.com'.",
            code="invalid_domain",
            params={"domain": domain},
        )
    return domain

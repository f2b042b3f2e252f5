"""Which schema names are allowed, and how they are written into SQL."""

import re

from django.core.exceptions import ValidationError

SCHEMA_NAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
ALWAYS_RESERVED = frozenset({"public", "information_schema", "default"})


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

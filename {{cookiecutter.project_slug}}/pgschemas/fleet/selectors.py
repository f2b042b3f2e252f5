"""The ``-s`` option of the schema commands: which schemas a selector names."""

from collections.abc import Iterable, Iterator

from ..config import PUBLIC, get_domain_model, get_tenant_model, get_tenants_config
from ..exceptions import SchemaNotFound
from ..schema import PUBLIC_SCHEMA, NamedSchema, Schema, StaticSchema

STATIC = ":static:"
DYNAMIC = ":dynamic:"
ALL = ":all:"
SELECTOR_HELP = (
    "A schema name, :static:, :dynamic:, :all:, or the start of a domain. "
    "Repeat to select more; without it: every schema, public first."
)


def static_schemas() -> list[Schema]:
    return [StaticSchema(name) for name in get_tenants_config().static]


def dynamic_schemas(*, tenants: bool = True) -> Iterator[Schema]:
    """The tenants, by schema name; with ``tenants`` false only their names, for work that needs
    nothing else (migrating: no model instance per tenant for 10,000 tenants)."""
    ordered = get_tenant_model()._default_manager.order_by("schema_name")
    if tenants:
        yield from ordered.iterator()
        return
    for name in ordered.values_list("schema_name", flat=True).iterator():
        yield NamedSchema(name, dynamic=True)


def all_schemas(*, tenants: bool = True) -> Iterator[Schema]:
    """Public, then static tenants, then dynamic ones (read only once public is migrated)."""
    yield PUBLIC_SCHEMA
    yield from static_schemas()
    yield from dynamic_schemas(tenants=tenants)


def select_schemas(selectors: Iterable[str]) -> Iterator[Schema]:
    """Each selected schema once, in the order the selectors name them."""
    seen: set[str] = set()
    for selector in selectors:
        schemas = all_schemas() if selector == ALL else _select_one(selector)
        for schema in schemas:
            if schema.schema_name not in seen:
                seen.add(schema.schema_name)
                yield schema


def _select_one(selector: str) -> Iterable[Schema]:
    config = get_tenants_config()
    if selector == STATIC:
        return static_schemas()
    if selector == DYNAMIC:
        return list(dynamic_schemas())
    if selector == PUBLIC:
        return [PUBLIC_SCHEMA]
    if selector in config.static:
        return [StaticSchema(selector)]
    tenant = get_tenant_model()._default_manager.filter(schema_name=selector).first()
    if tenant is not None:
        return [tenant]
    prefix = selector.lower()
    matches: dict[str, Schema] = {
        static.name: StaticSchema(static.name)
        for domain, static in config.static_by_domain.items()
        if domain.startswith(prefix)
    }
    domains = get_domain_model()._default_manager.filter(domain__startswith=prefix)
    for domain in domains.select_related("tenant").order_by("domain"):
        matches.setdefault(domain.tenant.schema_name, domain.tenant)
    if len(matches) == 1:
        return list(matches.values())
    if not matches:
        raise SchemaNotFound(
            f"No schema matches {selector!r}: give a schema name, {STATIC}, {DYNAMIC}, {ALL}, "
            "or the start of a domain."
        )
    raise SchemaNotFound(
        f"{selector!r} is ambiguous: it matches the schemas {', '.join(sorted(matches))}. "
        "Give a longer domain or the schema name."
    )

"""What the tenancy package raises; management commands turn these into ``CommandError``."""


class TenancyError(Exception):
    """Base of the package's own errors: the message says what to do."""


class TenantSchemaError(TenancyError):
    """Creating a tenant's schema failed; nothing of the tenant was kept."""


class SchemaNotFound(TenancyError):
    """No schema matches the given name or selector."""


class CitusError(TenancyError):
    """A Citus operation cannot run on this database or with these arguments."""


class DumpError(TenancyError):
    """Dumping or restoring a schema with PostgreSQL's client tools failed; nothing was kept."""

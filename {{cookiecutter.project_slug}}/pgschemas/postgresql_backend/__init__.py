"""Django's PostgreSQL backend, aware of the active schema.

Use it as ``DATABASES["default"]["ENGINE"] = "pgschemas.postgresql_backend"``.
"""

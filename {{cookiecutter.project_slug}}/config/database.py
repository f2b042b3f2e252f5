"""Where the database is: DATABASE_URL when set, otherwise the embedded development server."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

ENGINE = "pgschemas.postgresql_backend"


def database_settings(env: environ.Env, *, embedded_data_dir: Path | None) -> dict:
    """``DATABASES["default"]``; without DATABASE_URL, start the embedded server if allowed."""
    if env.str("DATABASE_URL", default=""):
        database = env.db_url("DATABASE_URL")
    elif embedded_data_dir is not None:
        # Imported only here: production never loads the development server's wheel.
        from devtools.devdb import embedded_database

        database = embedded_database(embedded_data_dir)
    else:
        raise ImproperlyConfigured(
            "Set DATABASE_URL, e.g. postgres://user:password@db.example.com:5432/mysaas"
        )
    return {**database, "ENGINE": ENGINE}


def client_programs_dir(env: environ.Env) -> str:
    """``PGSCHEMAS_PG_BIN_DIR`` in development and tests: the embedded server's own pg_dump and
    psql when it is the database, else the environment's setting (empty: ``PATH``)."""
    if env.str("DATABASE_URL", default=""):
        return env.str("PGSCHEMAS_PG_BIN_DIR", default="")
    from devtools.devdb import embedded_bin_dir

    return str(embedded_bin_dir())

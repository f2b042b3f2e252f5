"""The test database on the local Citus cluster (settings.PGSCHEMAS_CITUS and DATABASE_URL at
its coordinator, see devtools/citus_cluster.py).

Django creates its test database on the coordinator only; a Citus database must exist on every
node with the extension, and know its workers, before anything is migrated into it. So it is made
here, and Django is told to keep (reuse) it.
"""

from django.conf import settings
from django.db import connection

from devtools import citus_cluster


def create() -> bool:
    """Create the test database on every node when running on Citus; True if it was."""
    if not settings.PGSCHEMAS_CITUS:
        return False
    name = _test_database_name()
    citus_cluster.drop_database(name)  # left by an interrupted run
    citus_cluster.create_database(name)
    return True


def drop() -> None:
    if settings.PGSCHEMAS_CITUS:
        connection.close()
        citus_cluster.drop_database(_test_database_name())


def _test_database_name() -> str:
    database = connection.settings_dict
    return database["TEST"]["NAME"] or f"test_{database['NAME']}"

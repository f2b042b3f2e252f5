import pytest

from pgschemas.routers import SyncRouter
from pgschemas.schema import PUBLIC_SCHEMA, StaticSchema
from shared_app.models import Client

SCHEMA_APPS = {
    "public": {"contenttypes", "staticfiles", "messages", "pgschemas", "shared_app"},
    "www": {"auth", "sessions", "admin", "users", "allauth", "account", "main_app"},
    "tenant": {"auth", "sessions", "admin", "users", "allauth", "account", "tenant_app"},
}
LABELS = set().union(*SCHEMA_APPS.values())


@pytest.mark.parametrize(
    ("schema", "kind"),
    [(PUBLIC_SCHEMA, "public"), (StaticSchema("www"), "www"), (Client(schema_name="x"), "tenant")],
)
def test_apps_migrate_only_into_the_schemas_that_list_them(schema, kind):
    router = SyncRouter()

    with schema:
        allowed = {label for label in LABELS if router.allow_migrate("default", label)}

    assert allowed == SCHEMA_APPS[kind]

"""Creating tenants: schema name validation, schema creation and its rollback, domains."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models.signals import post_migrate

from pgschemas.availability import schema_exists
from pgschemas.exceptions import TenantSchemaError
from pgschemas.fleet.provisioning import create_schema
from shared_app.models import Client, Domain
from tenant_app.models import Project

from ..factories import ClientFactory, DomainFactory

pytestmark = pytest.mark.django_db


def tables_of(schema_name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema_name],
        )
        return {row[0] for row in cursor.fetchall()}


def test_creating_a_client_creates_and_migrates_its_schema():
    client = Client.objects.create(schema_name="initech", name="Initech")

    assert {"tenant_app_project", "users_user", "django_session", "django_migrations"} <= (
        tables_of("initech")
    )
    assert "shared_app_client" not in tables_of("initech")
    with client:
        assert Project.objects.count() == 0


@pytest.mark.parametrize(
    "bad_name",
    [
        "Acme",
        "1acme",
        "acme-corp",
        "acme corp",
        "",
        "a" * 64,
        "pg_catalog",
        "pg_acme",
        "public",
        "information_schema",
        "www",
        "default",
        'x"; DROP SCHEMA public CASCADE; --',
        "acme; SELECT 1",
        "ACME",
        "acmé",
    ],
)
def test_invalid_or_reserved_schema_names_are_refused_before_any_sql(bad_name):
    with pytest.raises(ValidationError) as error:
        Client.objects.create(schema_name=bad_name, name="Bad")

    assert repr(bad_name) in error.value.messages[0]
    assert not Client.objects.filter(schema_name=bad_name).exists()
    assert schema_exists("public")


def test_a_name_taken_by_another_tenant_is_refused(acme):
    with pytest.raises(ValidationError, match="already uses the schema"):
        Client.objects.create(schema_name="acme", name="Acme again")


def test_a_failing_migration_leaves_no_schema_and_no_row():
    def explode(**kwargs):
        raise DatabaseError("disk full (simulated)")

    post_migrate.connect(explode, dispatch_uid="explode")
    client = Client(schema_name="doomed", name="Doomed")
    try:
        with pytest.raises(TenantSchemaError, match="disk full") as error:
            client.save()
    finally:
        post_migrate.disconnect(dispatch_uid="explode")

    assert "'doomed'" in str(error.value) and "rolled back" in str(error.value)
    assert not schema_exists("doomed")
    assert not Client.objects.filter(schema_name="doomed").exists()
    assert client.pk is None and client._state.adding
    client.save()  # the same instance can be saved once the cause is gone
    assert schema_exists("doomed")


def test_a_leftover_schema_of_the_same_name_is_reported_not_reused():
    create_schema("leftover")

    with pytest.raises(TenantSchemaError, match='DROP SCHEMA "leftover" CASCADE'):
        Client.objects.create(schema_name="leftover", name="Leftover")

    assert not Client.objects.filter(schema_name="leftover").exists()


def test_a_leftover_schema_is_a_form_error_for_the_admin():
    create_schema("leftover")

    with pytest.raises(ValidationError) as error:
        Client(schema_name="leftover", name="Leftover").full_clean()

    assert 'DROP SCHEMA "leftover" CASCADE' in error.value.message_dict["schema_name"][0]


def test_schema_name_cannot_change(acme):
    acme.schema_name = "acme_renamed"

    with pytest.raises(ValidationError, match="cannot change"):
        acme.save()

    assert not schema_exists("acme_renamed")


def test_other_fields_can_change(acme):
    acme.name = "Acme Worldwide"
    acme.save()

    assert Client.objects.get(schema_name="acme").name == "Acme Worldwide"


def test_deleting_a_client_keeps_its_schema_by_default():
    client = ClientFactory(schema_name="keepme")

    client.delete()

    assert schema_exists("keepme")


def test_auto_drop_schema_drops_it_on_delete():
    client = ClientFactory(schema_name="dropme")
    client.auto_drop_schema = True

    client.delete()

    assert not schema_exists("dropme")


def test_a_new_primary_domain_demotes_the_previous_one(acme):
    first = acme.domains.get()
    second = Domain.objects.create(
        domain=f"acme.{settings.DOMAIN_NAME}.test", tenant=acme, is_primary=True
    )

    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert acme.domains.filter(is_primary=True).count() == 1


def test_domains_are_stored_lower_case(acme):
    domain = Domain.objects.create(domain=f" Shop.Acme.{settings.DOMAIN_NAME.upper()}", tenant=acme)

    assert domain.domain == f"shop.acme.{settings.DOMAIN_NAME}"


@pytest.mark.parametrize(
    "bad_domain", ["http://acme.test", "acme.test:8000", "acme.test/path", "-acme.test", "a b.test"]
)
def test_invalid_domains_are_refused(acme, bad_domain):
    with pytest.raises(ValidationError, match="not a valid domain"):
        Domain.objects.create(domain=bad_domain, tenant=acme)


def test_a_static_tenants_domain_cannot_be_given_to_a_customer(acme):
    with pytest.raises(ValidationError, match="static tenant 'www'"):
        DomainFactory(tenant=acme, domain=settings.DOMAIN_NAME)


def test_full_clean_and_save_give_a_domain_in_capitals_the_same_answer(acme):
    """Regression: full_clean() refused "Foo.Example.com" while save() lower-cased it."""
    cleaned = Domain(domain=f" Foo.{settings.DOMAIN_NAME.upper()}", tenant=acme)
    saved = Domain(domain=f" Bar.{settings.DOMAIN_NAME.upper()}", tenant=acme)

    cleaned.full_clean()
    saved.save()

    assert cleaned.domain == f"foo.{settings.DOMAIN_NAME}"
    assert Domain.objects.get(pk=saved.pk).domain == f"bar.{settings.DOMAIN_NAME}"


def test_full_clean_refuses_a_static_tenants_domain_as_a_domain_error(acme):
    with pytest.raises(ValidationError) as error:
        Domain(domain=settings.DOMAIN_NAME.upper(), tenant=acme).full_clean()

    assert "static tenant 'www'" in error.value.message_dict["domain"][0]


def test_full_clean_says_a_live_schema_is_taken_without_drop_advice(acme):
    with pytest.raises(ValidationError) as error:
        Client(schema_name="acme", name="Acme again").full_clean()

    assert error.value.message_dict["schema_name"] == [
        "A client already uses the schema 'acme': choose another schema_name."
    ]


@pytest.mark.parametrize("reserved", ["public", "www"])
def test_full_clean_says_a_reserved_name_is_reserved_without_drop_advice(reserved):
    with pytest.raises(ValidationError) as error:
        Client(schema_name=reserved, name="Reserved").full_clean()

    assert error.value.message_dict["schema_name"] == [
        f"'{reserved}' is reserved: pick another schema name (for example '{reserved}_tenant')."
    ]


@pytest.mark.parametrize("auto_drop_schema", [True, False])
def test_bulk_delete_honours_auto_drop_schema(monkeypatch, auto_drop_schema):
    monkeypatch.setattr(Client, "auto_drop_schema", auto_drop_schema)
    for schema_name in ("bulk_one", "bulk_two", "bulk_kept"):
        DomainFactory(tenant=ClientFactory(schema_name=schema_name))

    deleted, _ = Client.objects.filter(schema_name__in=["bulk_one", "bulk_two"]).delete()

    assert deleted == 4  # two clients and their domains
    assert schema_exists("bulk_one") is schema_exists("bulk_two") is (not auto_drop_schema)
    assert schema_exists("bulk_kept")
    assert list(Client.objects.filter(schema_name__startswith="bulk_")) == [
        Client.objects.get(schema_name="bulk_kept")
    ]

"""The pool of spare schemas: a new tenant takes the oldest spare that is up to date."""

import pytest
from django.db import connection

from pgschemas.fleet import spares
from pgschemas.fleet.spares import refill_spare_schemas, spare_schema_names
from pgschemas.names import quote_schema_name

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db


def make_behind(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote_schema_name(schema_name)}.django_migrations "
            "WHERE id = (SELECT max(id) FROM "
            f"{quote_schema_name(schema_name)}.django_migrations)"
        )


def test_a_tenant_takes_the_first_current_spare_past_a_page_of_stale_ones(monkeypatch):
    monkeypatch.setattr(spares, "SPARES_PER_PAGE", 2)
    refill_spare_schemas(4)
    oldest_first = spare_schema_names()
    for stale in oldest_first[:3]:
        make_behind(stale)

    ClientFactory(schema_name="sp_taker")

    assert spare_schema_names() == oldest_first[:3]  # the stale ones are left for migrateschema


def test_with_no_current_spare_the_schema_is_made_on_the_spot():
    refill_spare_schemas(1)
    [stale] = spare_schema_names()
    make_behind(stale)

    tenant = ClientFactory(schema_name="sp_fresh")

    assert spare_schema_names() == [stale]
    with tenant, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] > 0

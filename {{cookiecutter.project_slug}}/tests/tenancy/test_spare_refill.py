"""Refilling the pool outside a transaction: spares are committed one by one, several at once."""

import pytest
from django.db import connection

from pgschemas.fleet import spares
from pgschemas.fleet.migrations_state import schemas_behind
from pgschemas.fleet.plans import expected_migrations
from pgschemas.fleet.provisioning import drop_schema
from pgschemas.fleet.spares import refill_spare_schemas, spare_schema_names


@pytest.fixture
def spares_committed(committed_db):
    """Spares made here are committed: drop them afterwards."""
    yield
    for spare in spare_schema_names():
        drop_schema(spare)


def test_outside_a_transaction_spares_are_made_on_several_connections_at_once(
    spares_committed, monkeypatch
):
    connections_used = set()
    make_one = spares.create_and_migrate_schema

    def recording(schema_name: str) -> int:
        applied = make_one(schema_name)
        connections_used.add(id(connection.connection))  # this thread's, open by now
        return applied

    monkeypatch.setattr(spares, "create_and_migrate_schema", recording)

    assert refill_spare_schemas(5) == 5

    assert len(spare_schema_names()) == 5
    assert len(connections_used) == 2  # PGSCHEMAS_SPARE_REFILL_THREADS
    assert schemas_behind(spare_schema_names(), expected_migrations()) == []


def test_a_failing_spare_thread_stops_the_refill_and_says_why(spares_committed, monkeypatch):
    monkeypatch.setattr(spares, "new_spare_name", lambda: "not a valid name!")

    with pytest.raises(Exception, match="not a valid name"):
        refill_spare_schemas(3)

    assert spare_schema_names() == []

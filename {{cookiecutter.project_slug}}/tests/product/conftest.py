"""Fixtures of the product's tests: a customer to export (committed: pg_dump reads it on a
connection of its own) and its archive.
# >>> include_billing
Stripe, served by a local fake (tests/fake_stripe).
# <<< include_billing
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from billing_app.models import StripeEvent  # >>> include_billing <<<
from pgschemas.fleet.provisioning import drop_schema
from shared_app.models import (
    Client,
    OperatorAction,  # >>> include_billing <<<
    Plan,  # >>> include_billing <<<
)
from shared_app.tenant_export import export_tenant

from ..conftest import host
from ..dns_server import DnsServer
from ..factories import ClientFactory, DomainFactory, OwnerFactory
from ..fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripe  # >>> include_billing <<<
from .archives import MEDIA_FILES, SOURCE, fill_every_table, schemas_like
from .billing import RESTORED_FIELDS, price_plans  # >>> include_billing <<<


@pytest.fixture
def archived(committed_db, settings, tmp_path):
    """The tenant ``archived`` with rows in every table and two media files."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    tenant = ClientFactory(schema_name=SOURCE, name="Archived Inc")
    DomainFactory(tenant=tenant, domain=host(SOURCE))
    fill_every_table(tenant)
    for name, data in MEDIA_FILES.items():
        path = tmp_path / "media" / SOURCE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    made = [SOURCE]
    yield tenant, made
    for schema_name in made:
        Client.objects.filter(schema_name=schema_name).delete()
        drop_schema(schema_name)
    for leftover in schemas_like(r"\_re%"):
        drop_schema(leftover)


@pytest.fixture
def archive(archived, tmp_path) -> Path:
    path = tmp_path / "archived.tar.gz"
    export_tenant(SOURCE, path)
    return path


# >>> include_billing
@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripe]:
    """Stripe's API served by a local process (tests/fake_stripe), the project pointed at it."""
    server = FakeStripe()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield server
    server.stop()


@pytest.fixture
def priced_plans(db) -> None:
    price_plans()


@pytest.fixture
def acme_billed(committed_db, fake_stripe) -> Iterator[Client]:
    """acme with a Stripe customer and priced plans, committed (the server answers on its own
    connections); everything put back after."""
    acme = Client.objects.get(schema_name="acme")
    before = Client.objects.filter(pk=acme.pk).values(*RESTORED_FIELDS)[0]
    price_plans()
    Client.objects.filter(pk=acme.pk).update(stripe_customer_id="cus_acme")
    yield Client.objects.get(pk=acme.pk)
    Client.objects.filter(pk=acme.pk).update(**before)
    Plan.objects.update(stripe_monthly_price_id="", stripe_yearly_price_id="")
    StripeEvent.objects.all().delete()
    OperatorAction.objects.filter(tenant=acme).delete()


# <<< include_billing


@pytest.fixture
def owner_client(acme) -> HttpClient:
    """A test client for acme's host, logged in as a new owner, owner@example.com."""
    http = HttpClient(headers={"host": host("acme")})
    with acme:
        http.force_login(OwnerFactory(email="owner@example.com"))
    return http


@pytest.fixture
def dns_server(settings) -> Iterator[DnsServer]:
    """dnsmasq on a free port, with no records yet (tests write them); custom domains'
    verification asks it alone."""
    server = DnsServer()
    server.set_txt({})
    settings.CUSTOM_DOMAIN_RESOLVERS = [server.address]
    yield server
    server.close()

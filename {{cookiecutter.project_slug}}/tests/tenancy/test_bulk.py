"""manage.py createtenants: many tenants through the model, each all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from pgschemas.fleet import bulk
from pgschemas.fleet.spares import spare_schema_names
from shared_app.models import Client

from ..factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_createtenants_makes_each_tenant_with_its_domain_and_schema(client):
    call_command("createtenants", "2", "--prefix", "bk_", "--domain", "bulk.test", verbosity=0)

    tenants = Client.objects.filter(schema_name__startswith="bk_").order_by("schema_name")
    assert [t.schema_name for t in tenants] == ["bk_1", "bk_2"]
    assert [d.domain for t in tenants for d in t.domains.all()] == [
        "bk-1.bulk.test",
        "bk-2.bulk.test",
    ]
    page = client.get("/", headers={"host": "bk-2.bulk.test"}, follow=True)  # to its log-in page
    assert page.status_code == 200 and page.wsgi_request.tenant.schema_name == "bk_2"
    assert spare_schema_names() == []  # the spares it made were all taken


def test_createtenants_refuses_names_already_taken():
    ClientFactory(schema_name="bk_2")

    with pytest.raises(CommandError, match=r"taken already: bk_2\. Choose another --prefix"):
        call_command("createtenants", "3", "--prefix", "bk_", verbosity=0)

    assert not Client.objects.filter(schema_name__in=["bk_1", "bk_3"]).exists()


def test_createtenants_refuses_an_invalid_prefix():
    with pytest.raises(CommandError, match=r"'Bad-1' is not a valid schema name"):
        call_command("createtenants", "1", "--prefix", "Bad-", verbosity=0)


def test_each_tenant_is_made_as_its_schema_is_ready_and_a_failure_stops_the_rest(monkeypatch):
    names = iter(["_spare_00_first", "not a valid name!", "_spare_00_third"])
    monkeypatch.setattr(bulk, "new_spare_name", lambda: next(names))

    with pytest.raises(CommandError, match=r"1 tenant\(s\) could not be created: not a valid"):
        call_command("createtenants", "3", "--prefix", "bk_", verbosity=0)

    made = Client.objects.filter(schema_name__startswith="bk_")
    assert list(made.values_list("schema_name", flat=True)) == ["bk_1"]  # took the first spare

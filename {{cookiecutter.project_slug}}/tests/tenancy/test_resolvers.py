"""The routing seam: the header-routing example of docs/tenancy.md, run as it is written."""

import re
import sys
import types
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

from pgschemas.routing.resolvers import Route, resolvers

pytestmark = pytest.mark.django_db

EXAMPLE = re.compile(r"<!-- header-routing -->\n```python\n(.*?)```", re.S)


def documented_example() -> str:
    return EXAMPLE.search((settings.BASE_DIR / "docs" / "tenancy.md").read_text()).group(1)


@pytest.fixture
def header_routing() -> Iterator[None]:
    """Only the documented HeaderResolver routes (as module ``header_routing``)."""
    module = types.ModuleType("header_routing")
    exec(compile(documented_example(), "docs/tenancy.md", "exec"), module.__dict__)
    sys.modules["header_routing"] = module
    try:
        with override_settings(PGSCHEMAS_RESOLVERS=["header_routing.HeaderResolver"]):
            yield
    finally:
        del sys.modules["header_routing"]
        resolvers.cache_clear()


def test_the_documented_example_is_at_most_twenty_lines():
    assert len(documented_example().strip().splitlines()) <= 20


def test_a_request_with_the_header_reaches_that_tenant(client, header_routing, acme):
    response = client.get("/", headers={"host": "api.example.net", "X-Workspace": "acme"})

    assert response.wsgi_request.route == Route(
        schema=acme, urlconf=settings.TENANTS["default"]["URLCONF"], matched_by="header"
    )
    assert response.status_code == 302  # to the log-in page of acme: the header did not log in


@pytest.mark.parametrize("header", [None, "", "nobody", "public", "www", "blog", "acme'; --"])
def test_a_missing_or_unknown_header_is_a_404_and_never_public(client, header_routing, header):
    headers = {"host": f"acme.{settings.DOMAIN_NAME}"}  # a known host: the host is not asked
    if header is not None:
        headers["X-Workspace"] = header

    response = client.get("/", headers=headers)

    assert response.status_code == 404
    assert response.content == b"No site is served at this address."


def test_by_default_the_host_routes(client, acme):
    response = client.get("/", headers={"host": f"acme.{settings.DOMAIN_NAME}"})

    assert response.wsgi_request.route.matched_by == "host"
    assert response.wsgi_request.route.schema == acme

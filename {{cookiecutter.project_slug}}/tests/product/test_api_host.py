"""The API host (API_HOST): every workspace's API at one address, the workspace chosen by the
key; never public, a static site or another workspace."""

import pytest
from django.conf import settings

from tenant_app.models import ApiKey

from ..conftest import secret_of

pytestmark = pytest.mark.django_db


def on_api_host(client, key: str | None, path: str = "/api/v1/projects/"):
    headers = {"host": settings.API_HOST}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return client.get(path, headers=headers)


def test_the_api_host_is_routed_first_and_is_no_workspace_name():
    assert settings.PGSCHEMAS_RESOLVERS[0] == "tenant_app.api.routing.ApiHostResolver"
    assert settings.API_HOST.split(".")[0] in settings.RESERVED_SUBDOMAINS


@pytest.mark.parametrize("tenant_name", ["acme", "globex"])
def test_a_key_opens_its_own_workspace_on_the_api_host(client, acme, globex, api_key, tenant_name):
    key = api_key({"acme": acme, "globex": globex}[tenant_name])

    response = on_api_host(client, key)

    other = "globex" if tenant_name == "acme" else "acme"
    assert response.status_code == 200 and response.wsgi_request.tenant.schema_name == tenant_name
    assert [p["name"] for p in response.json()["results"]] == [secret_of(tenant_name)]
    assert secret_of(other) not in response.content.decode()


@pytest.mark.parametrize(
    "key", [None, "", "garbage", "nosuch.a.b", "public.a.b", "www.a.b", "blog.a.b", "ACME.a.b"]
)
def test_a_request_whose_key_names_no_workspace_is_routed_nowhere(client, acme, key):
    response = on_api_host(client, key)

    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")
    assert secret_of("acme") not in response.content.decode()


def test_a_forged_key_naming_a_workspace_is_refused_there_with_the_usual_body(
    client, acme, api_key
):
    forged = api_key(acme).rsplit(".", 1)[0] + ".forged"

    response = on_api_host(client, forged)

    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "path", ["/", "/settings/", "/admin/", "/api/v1/docs/", "/accounts/login/"]
)
def test_the_api_host_serves_the_api_alone(client, acme, api_key, path):
    response = on_api_host(client, api_key(acme), path)

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_revoked_key_is_refused_on_the_api_host(client, acme, api_key):
    key = api_key(acme)
    before = on_api_host(client, key)
    with acme:
        ApiKey.objects.update(revoked_at="2026-01-01T00:00Z")

    assert before.status_code == 200 and on_api_host(client, key).status_code == 401


def test_no_api_host_when_it_is_empty(client, acme, api_key, settings):
    key = api_key(acme)
    api_host, settings.API_HOST = settings.API_HOST, ""

    response = client.get(
        "/api/v1/projects/", headers={"host": api_host, "authorization": f"Bearer {key}"}
    )

    assert response.status_code == 404


def test_a_request_on_the_api_host_costs_one_query_more_than_on_the_workspaces_host(
    client, acme, api_key, django_assert_num_queries
):
    key = api_key(acme)
    on_api_host(client, key)  # last_used_at, usage, host map: written or loaded once

    with django_assert_num_queries(4):  # the workspace named by the key, the key, count, page
        assert on_api_host(client, key).status_code == 200

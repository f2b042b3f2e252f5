"""The workspace's REST API at /api/v1/: endpoints, pagination and filters, error bodies, and the
same permissions as the pages, through the whole middleware on each workspace's host."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver

from tenant_app.models import Project

from ..conftest import host, secret_of
from ..factories import OwnerFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_key(tenant_name: str, key: str) -> dict[str, str]:
    return {"host": host(tenant_name), "authorization": f"Bearer {key}"}


def api_urls() -> list[str]:
    """Every URL under /api/v1/ of the workspace's URLconf, with 1 for each argument."""
    resolver = next(
        p for p in get_resolver("tenant_app.urls").url_patterns if str(p.pattern) == "api/v1/"
    )
    urls = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLPattern):
                urls.append(
                    "/api/v1/"
                    + re.sub(r"\(\?P<\w+>[^)]+\)", "1", route.replace("^", "")).rstrip("$")
                )
            elif not isinstance(pattern, URLPattern):
                walk(pattern.url_patterns, route)

    walk(resolver.url_patterns, "")
    return sorted(set(urls))


def test_every_api_url_is_walked():
    assert {"/api/v1/", "/api/v1/projects/", "/api/v1/projects/1/", "/api/v1/members/"} <= set(
        api_urls()
    )


@pytest.mark.parametrize("url", [url for url in api_urls() if url != "/api/v1/docs/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anonymous_requests_get_401_and_no_data(client, acme, url, method):
    response = getattr(client, method)(url, headers={"host": host("acme")})

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"
    assert secret_of("acme").encode() not in response.content


def test_a_member_lists_the_workspaces_projects_a_page_at_a_time(member_client, acme):
    with acme:
        for number in range(30):
            ProjectFactory(name=f"Bulk {number:02d}")
    http = member_client(acme)

    first = http.get("/api/v1/projects/?page_size=10").json()
    last = http.get("/api/v1/projects/?page_size=10&page=4").json()

    assert first["count"] == 31 and len(first["results"]) == 10
    assert first["next"].startswith(f"http://{host('acme')}/api/v1/projects/?page=2")
    assert [p["name"] for p in last["results"]] == [secret_of("acme")]
    assert all(secret_of("globex") != p["name"] for p in first["results"] + last["results"])


def test_the_page_size_is_capped_and_a_missing_page_is_404(member_client, acme):
    http = member_client(acme)

    assert http.get("/api/v1/projects/?page_size=1000").status_code == 200
    missing = http.get("/api/v1/projects/?page=9")

    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_projects_are_searched_and_ordered(member_client, acme):
    with acme:
        ProjectFactory(name="Beta launch", description="the rocket")
        ProjectFactory(name="Alpha launch")
        ProjectFactory(name="Budget", description="rocket fuel")
    http = member_client(acme)

    launches = http.get("/api/v1/projects/?search=launch&ordering=name").json()["results"]
    rockets = http.get("/api/v1/projects/?search=rocket&ordering=-name").json()["results"]

    assert [p["name"] for p in launches] == ["Alpha launch", "Beta launch"]
    assert [p["name"] for p in rockets] == ["Budget", "Beta launch"]


def test_a_key_creates_reads_updates_and_deletes_a_project(client, acme, api_key):
    headers = with_key("acme", api_key(acme))

    created = client.post(
        "/api/v1/projects/", {"name": "Launch"}, content_type="application/json", headers=headers
    )
    url = f"/api/v1/projects/{created.json()['id']}/"
    read = client.get(url, headers=headers)
    updated = client.patch(
        url, {"description": "Friday"}, content_type="application/json", headers=headers
    )
    deleted = client.delete(url, headers=headers)

    assert created.status_code == 201 and read.json()["name"] == "Launch"
    assert updated.status_code == 200 and updated.json()["description"] == "Friday"
    assert deleted.status_code == 204 and client.get(url, headers=headers).status_code == 404
    with acme:
        assert not Project.objects.filter(name="Launch").exists()


def test_invalid_input_gets_the_error_body_with_each_fields_messages(client, acme, api_key):
    response = client.post(
        "/api/v1/projects/",
        {"name": "", "description": 3 * [1]},
        content_type="application/json",
        headers=with_key("acme", api_key(acme)),
    )

    error = response.json()["error"]
    assert response.status_code == 400 and error["status"] == 400 and error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "description"}
    with acme:
        assert Project.objects.count() == 1  # nothing half-made


def test_malformed_json_gets_the_error_body(client, acme, api_key):
    response = client.post(
        "/api/v1/projects/",
        "{not json",
        content_type="application/json",
        headers=with_key("acme", api_key(acme)),
    )

    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_another_workspaces_project_is_not_found_by_its_id(member_client, acme, globex):
    with globex:
        theirs = ProjectFactory(name="Globex only")
    with acme:
        assert not Project.objects.filter(pk=theirs.pk).exists()
    http = member_client(acme)

    read = http.get(f"/api/v1/projects/{theirs.pk}/")
    deleted = http.delete(f"/api/v1/projects/{theirs.pk}/")

    assert read.status_code == 404 and deleted.status_code == 404
    assert "Globex only" not in read.content.decode()
    with globex:
        assert Project.objects.filter(pk=theirs.pk).exists()


def test_members_are_listed_read_only_and_filtered_by_role(member_client, acme):
    with acme:
        OwnerFactory(email="boss@example.com")
    http = member_client(acme, email="ann@example.com")

    members = http.get("/api/v1/members/").json()["results"]
    owners = http.get("/api/v1/members/?role=owner").json()["results"]
    bad_role = http.get("/api/v1/members/?role=king")
    write = http.post("/api/v1/members/", {}, content_type="application/json")

    assert {m["email"] for m in members} == {"ann@example.com", "boss@example.com"}
    assert [m["email"] for m in owners] == ["boss@example.com"]
    assert bad_role.status_code == 400 and "role" in bad_role.json()["error"]["fields"]
    assert write.status_code == 405 and write.json()["error"]["code"] == "method_not_allowed"


def test_a_member_of_one_workspace_is_anonymous_on_anothers_api(member_client, acme):
    response = member_client(acme).get("/api/v1/projects/", headers={"host": host("globex")})

    assert response.status_code == 401


def test_the_browser_session_writes_only_with_the_csrf_token(acme):
    http = HttpClient(enforce_csrf_checks=True, headers={"host": host("acme")})
    with acme:
        http.force_login(UserFactory())
    token = str(http.get("/settings/").context["csrf_token"])

    refused = http.post("/api/v1/projects/", {"name": "x"}, content_type="application/json")
    accepted = http.post(
        "/api/v1/projects/",
        {"name": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert accepted.status_code == 201


def test_a_key_request_costs_one_query_for_the_key(
    client, acme, api_key, django_assert_num_queries
):
    headers = with_key("acme", api_key(acme))
    client.get("/api/v1/projects/", headers=headers)  # records last_used_at (due once a minute)

    with django_assert_num_queries(3):  # the key, the count, the page
        response = client.get("/api/v1/projects/", headers=headers)

    assert response.status_code == 200

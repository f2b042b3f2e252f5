"""The API's OpenAPI 3 schema (drf-spectacular) and its Swagger UI page, for members and keys.
The page in a real browser, under the Content-Security-Policy: tests/product/test_browser.py."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from ..conftest import host

pytestmark = pytest.mark.django_db
ENDPOINTS = {
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/members/": {"get"},
    "/api/v1/members/{id}/": {"get"},
}


def test_the_schema_validates_lists_every_endpoint_and_describes_keys(client, acme, api_key):
    response = client.get(
        "/api/v1/schema/",
        headers={"host": host("acme"), "authorization": f"Bearer {api_key(acme, 'read')}"},
    )
    schema = response.json()

    validate_schema(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == ENDPOINTS
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiKey"]["description"],
    }
    assert {"apiKey": []} in schema["paths"]["/api/v1/projects/"]["post"]["security"]
    assert "cookieAuth" in schema["components"]["securitySchemes"]


def test_the_schema_is_generated_without_a_warning(tmp_path):
    out = tmp_path / "schema.json"

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )

    assert set(json.loads(out.read_text())["paths"]) == set(ENDPOINTS)


def test_the_schema_needs_a_member_or_a_key(client, acme):
    response = client.get("/api/v1/schema/", headers={"host": host("acme")})

    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_anonymous_visitors_of_the_docs_go_to_the_log_in_page(client, acme):
    response = client.get("/api/v1/docs/", headers={"host": host("acme")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


def test_the_docs_page_loads_swagger_ui_from_the_sites_own_files_without_inline_code(
    member_client, acme
):
    http = member_client(acme)

    page = http.get("/api/v1/docs/")
    html = page.content.decode()
    script = http.get("/api/v1/docs/?script=")
    files = [
        source.removeprefix(settings.STATIC_URL)
        for source in re.findall(r'(?:src|href)="([^"]+)"', html)
        if not source.startswith("/api/")
    ]

    assert page.status_code == 200 and page["Content-Security-Policy"].startswith(
        "default-src 'self'"
    )
    assert "<style" not in html and "<script>" not in html and "//cdn" not in html
    assert 'src="/api/v1/docs/?script="' in html
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/v1/schema/"' in script.content.decode()
    # Two scripts, the style sheet and the icon, all static files of the project (the browser
    # test loads them from a live server).
    assert len(files) == 4 and all(finders.find(path) for path in files)

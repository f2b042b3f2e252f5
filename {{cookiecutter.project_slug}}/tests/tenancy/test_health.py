"""/healthz: answered before routing, on every host, with the database's state."""

import pytest
from asgiref.sync import async_to_sync
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse

from pgschemas.contrib.health import health_check_middleware


@pytest.mark.django_db
@pytest.mark.parametrize("hostname", ["unknown.test", "10.0.0.7:8000", "acme.example.com"])
def test_healthz_answers_on_every_host_including_unknown_ones(client, hostname):
    response = client.get("/healthz", headers={"host": hostname})

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert not hasattr(response.wsgi_request, "tenant")


@pytest.mark.django_db
def test_other_paths_of_an_unknown_host_still_get_404(client):
    assert client.get("/healthz/x", headers={"host": "unknown.test"}).status_code == 404


def test_healthz_is_503_when_the_database_does_not_answer(committed_db, client, monkeypatch):
    # committed_db: the connection must be closed and reopened, outside a test transaction.
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    connection.close()
    try:
        response = client.get("/healthz", headers={"host": "unknown.test"})
    finally:
        monkeypatch.undo()
        connection.close()

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


@pytest.mark.django_db
def test_healthz_answers_under_asgi():
    async def never_called(request):
        raise AssertionError("the request went past the health check")

    middleware = health_check_middleware(never_called)
    scope = {"type": "http", "method": "GET", "path": "/healthz", "headers": []}
    request = ASGIRequest(scope, None)

    response = async_to_sync(middleware)(request)

    assert isinstance(response, HttpResponse) and response.status_code == 200


def test_other_requests_pass_through_under_asgi():
    async def view(request):
        return HttpResponse("the view")

    middleware = health_check_middleware(view)
    request = ASGIRequest({"type": "http", "method": "GET", "path": "/", "headers": []}, None)

    assert async_to_sync(middleware)(request).content == b"the view"

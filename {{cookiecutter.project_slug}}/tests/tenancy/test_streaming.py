"""The schema follows the work: streaming bodies, on_commit callbacks and threads."""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from pgschemas.middleware import TenantMainMiddleware
from pgschemas.schema import get_active_schema, in_active_schema
from shared_app.models import Client
from tenant_app.models import Project

from ..conftest import host, secret_of


def project_names() -> list[str]:
    return list(Project.objects.values_list("name", flat=True))


def rows_in_chunks():
    """A body that queries the database while the server sends it."""
    yield b"start\n"
    for name in project_names():
        yield name.encode() + b"\n"


async def rows_in_async_chunks():
    yield b"start\n"
    async for project in Project.objects.all():
        yield project.name.encode() + b"\n"


def test_a_streaming_body_is_made_in_the_requests_schema(acme):
    middleware = TenantMainMiddleware(lambda request: StreamingHttpResponse(rows_in_chunks()))
    response = middleware(RequestFactory().get("/", headers={"host": host("acme")}))

    assert get_active_schema().schema_name == "public"  # the view has returned
    assert b"".join(response.streaming_content) == f"start\n{secret_of('acme')}\n".encode()
    assert get_active_schema().schema_name == "public"


def test_an_async_streaming_body_is_made_in_the_requests_schema(acme):
    async def view(request):
        return StreamingHttpResponse(rows_in_async_chunks())

    async def serve() -> bytes:
        middleware = TenantMainMiddleware(view)
        response = await middleware(RequestFactory().get("/", headers={"host": host("acme")}))
        return b"".join([chunk async for chunk in response.streaming_content])

    assert async_to_sync(serve)() == f"start\n{secret_of('acme')}\n".encode()
    assert get_active_schema().schema_name == "public"


def test_on_commit_callbacks_run_in_the_schema_that_registered_them(committed_db):
    acme = Client.objects.get(schema_name="acme")
    seen = []
    with transaction.atomic():
        with acme:
            transaction.on_commit(lambda: seen.append(project_names()))
        Client.objects.count()  # the transaction goes on in public

    assert seen == [[secret_of("acme")]]


def test_in_active_schema_carries_the_schema_into_a_thread(committed_db):
    def names_then_close() -> list[str]:
        try:
            return project_names()
        finally:
            connection.close()  # this thread's own connection

    with Client.objects.get(schema_name="globex"), ThreadPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(in_active_schema(names_then_close)) for _ in range(4)]
        results = [future.result() for future in futures]

    assert results == [[secret_of("globex")]] * 4

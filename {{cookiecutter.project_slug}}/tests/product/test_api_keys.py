"""API keys: bound to their workspace, refused everywhere else with one body, revocable, scoped;
made by owners in the settings page (shown once) or by ``manage.py createapikey``."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from tenant_app.api.keys import digest
from tenant_app.models import ApiKey

from ..conftest import host, secret_of
from ..factories import OwnerFactory

pytestmark = pytest.mark.django_db
# One host of each static tenant (www, and the blog when baked with it).
STATIC_HOSTS = [tenant["DOMAINS"][0] for tenant in settings.TENANTS.values() if "DOMAINS" in tenant]
PATHS = ["/api/v1/projects/", "/", "/admin/", "/accounts/login/", "/no/such/page/"]


def bearer(key: str, on: str) -> dict[str, str]:
    return {"host": on, "authorization": f"Bearer {key}"}


def refused_body(client: HttpClient, tenant_name: str) -> bytes:
    """The body of a request to ``tenant_name``'s API with an unknown key."""
    response = client.get(
        "/api/v1/projects/", headers=bearer(f"{tenant_name}.x.y", host(tenant_name))
    )
    assert response.status_code == 401
    return response.content


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("other_host", [host("globex"), *STATIC_HOSTS])
def test_a_key_is_refused_on_any_other_host_whatever_the_path(
    client, acme, api_key, other_host, path
):
    key = api_key(acme)

    response = client.get(path, headers=bearer(key, other_host))

    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert response.content == refused_body(client, "acme")
    assert secret_of("globex").encode() not in response.content


def test_the_refusal_body_is_the_apis_own(client, acme, api_key):
    body = client.get("/api/v1/projects/", headers=bearer("acme.x.y", host("acme"))).json()

    assert body == {
        "error": {
            "status": 401,
            "code": "invalid_api_key",
            "message": "The API key is not valid for this workspace, or was revoked.",
        }
    }


@pytest.mark.parametrize(
    "key", ["", "garbage", "acme.x", "acme.x.y.z", "globex.x.y", "ACME.x.y", "acme..", "🔑"]
)
def test_malformed_and_unknown_keys_get_401_with_the_same_body(client, acme, key):
    response = client.get("/api/v1/projects/", headers=bearer(key, host("acme")))

    assert response.status_code == 401 and response.content == refused_body(client, "acme")


def test_a_key_with_a_wrong_secret_is_refused(client, acme, api_key):
    prefix, _, secret = api_key(acme).rpartition(".")
    forged = f"{prefix}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"

    response = client.get("/api/v1/projects/", headers=bearer(forged, host("acme")))

    assert response.status_code == 401


def test_a_key_copied_into_another_workspaces_schema_still_opens_nothing_there(
    client, acme, globex, api_key
):
    key = api_key(acme)
    with acme:
        row = ApiKey.objects.get(hashed_key=digest(key))
    with globex:  # e.g. a restored dump of acme's tables
        ApiKey.objects.create(
            name=row.name, prefix=row.prefix, hashed_key=row.hashed_key, scope=row.scope
        )

    response = client.get("/api/v1/projects/", headers=bearer(key, host("globex")))

    assert response.status_code == 401


def test_a_revoked_key_gets_401(client, acme, api_key):
    key = api_key(acme)
    assert client.get("/api/v1/projects/", headers=bearer(key, host("acme"))).status_code == 200
    with acme:
        ApiKey.objects.update(revoked_at="2026-01-01T00:00Z")

    response = client.get("/api/v1/projects/", headers=bearer(key, host("acme")))

    assert response.status_code == 401 and response.content == refused_body(client, "acme")


def test_a_read_key_reads_but_writing_is_403(client, acme, api_key):
    headers = bearer(api_key(acme, "read"), host("acme"))

    read = client.get("/api/v1/projects/", headers=headers)
    write = client.post(
        "/api/v1/projects/", {"name": "x"}, content_type="application/json", headers=headers
    )

    assert read.status_code == 200 and read.json()["count"] == 1
    assert write.status_code == 403
    assert write.json()["error"] == {
        "status": 403,
        "code": "read_only_key",
        "message": "This API key may only read: writing needs a read-write key.",
    }


def test_a_keys_use_is_recorded(client, acme, api_key):
    key = api_key(acme)

    client.get("/api/v1/members/", headers=bearer(key, host("acme")))

    with acme:
        assert ApiKey.objects.get(hashed_key=digest(key)).last_used_at is not None


def test_only_the_hash_and_the_prefix_are_stored(acme, api_key):
    key = api_key(acme)

    with acme:
        row = ApiKey.objects.get()
    assert (
        key.startswith(f"acme.{row.prefix.split('.')[1]}.") and row.prefix == key.rsplit(".", 1)[0]
    )
    assert key.rsplit(".", 1)[1] not in (row.prefix + row.hashed_key)


def owner_of(tenant) -> HttpClient:
    http = HttpClient(headers={"host": host(tenant.schema_name)})
    with tenant:
        http.force_login(OwnerFactory())
    return http


def test_an_owner_creates_a_key_shown_once_that_opens_the_api(client, acme):
    http = owner_of(acme)

    created = http.post("/settings/api-keys/", {"key-name": "CI", "key-scope": "read"})
    key = created.context["new_key"]
    later = http.get("/settings/").content.decode()
    used = client.get("/api/v1/projects/", headers=bearer(key, host("acme")))

    assert created.status_code == 201 and key in created.content.decode()
    assert key not in later and key.rsplit(".", 1)[0] in later and "CI" in later
    assert used.status_code == 200


def test_a_key_without_a_name_is_not_made(acme):
    response = owner_of(acme).post("/settings/api-keys/", {"key-name": "", "key-scope": "write"})

    assert response.status_code == 400 and "new_key" not in response.context
    with acme:
        assert not ApiKey.objects.exists()


def test_an_owner_revokes_a_key(client, acme, api_key):
    key = api_key(acme)
    with acme:
        pk = ApiKey.objects.get().pk

    response = owner_of(acme).post(f"/settings/api-keys/{pk}/revoke/")

    assert response.status_code == 302
    assert client.get("/", headers=bearer(key, host("acme"))).status_code == 401


def test_members_see_keys_but_cannot_make_or_revoke_them(member_client, acme, api_key):
    api_key(acme, name="Zapier")
    with acme:
        pk = ApiKey.objects.get().pk
    http = member_client(acme)

    page = http.get("/settings/").content.decode()
    made = http.post("/settings/api-keys/", {"key-name": "Mine", "key-scope": "write"})
    revoked = http.post(f"/settings/api-keys/{pk}/revoke/")

    assert "Zapier" in page and "Only owners can create or revoke API keys." in page
    assert made.status_code == 403 and revoked.status_code == 403
    with acme:
        assert ApiKey.objects.filter(revoked_at=None).count() == 1


def test_an_owner_cannot_revoke_another_workspaces_key_by_its_id(acme, globex, api_key):
    api_key(globex)
    with globex:
        pk = ApiKey.objects.get().pk

    response = owner_of(acme).post(f"/settings/api-keys/{pk}/revoke/")

    assert response.status_code == 404
    with globex:
        assert ApiKey.objects.get().revoked_at is None


def test_createapikey_prints_a_working_key_as_its_last_line(client, acme, capsys):
    call_command("createapikey", "acme", "--name", "Deploy", "--scope", "write")
    key = capsys.readouterr().out.strip().splitlines()[-1]

    response = client.post(
        "/api/v1/projects/",
        {"name": "From CI"},
        content_type="application/json",
        headers=bearer(key, host("acme")),
    )

    assert response.status_code == 201
    with acme:
        assert ApiKey.objects.get().name == "Deploy"


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuch", "--name", "x"], "No tenant has the schema 'nosuch'"),
        (["www", "--name", "x"], "'www' is no workspace"),
        (["acme", "--name", ""], "This field is required."),
        (["acme", "--name", "x" * 101], "at most 100 characters"),
    ],
)
def test_createapikey_refuses_with_a_message(acme, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createapikey", *args)


def test_the_pages_ignore_a_valid_key_and_ask_to_log_in(client, acme, api_key):
    response = client.get("/settings/", headers=bearer(api_key(acme), host("acme")))

    assert response.status_code == 302  # the pages ignore keys: log in first

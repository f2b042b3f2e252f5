"""Export one customer to an archive and restore it as a new tenant (exporttenant, importtenant).

Every test here uses committed data (``committed_db``): pg_dump and psql read and write on
connections of their own. Each test removes the tenants and schemas it made.
"""

import io
import json
import tarfile
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from pgschemas.fleet.provisioning import drop_schema
from shared_app.archive_format import ArchiveError
from shared_app.models import Client, Domain
from shared_app.tenant_export import export_tenant
from shared_app.tenant_import import import_tenant
from tenant_app.models import Invitation, Project, UsedHandoverToken

from ..conftest import host
from ..factories import ClientFactory, DomainFactory, ProjectFactory, UserFactory

SOURCE = "archived"
MEDIA_FILES = {"avatars/ann.png": b"\x89PNG" + bytes(range(256)), "notes.txt": b"hello\n"}


def fill_every_table(tenant: Client) -> None:
    """Rows in each of the tenant's tables, and sequences past their table's largest id."""
    with tenant:
        for n in range(3):
            ProjectFactory(name=f"{SOURCE} project {n}", description="x" * n)
        Project.objects.filter(name__endswith="0").delete()  # the sequence is now past max(id)
        user = UserFactory(email="ann@archived.test")
        group = Group.objects.create(name="editors")
        permission = Permission.objects.first()
        group.permissions.add(permission)
        user.groups.add(group)
        user.user_permissions.add(permission)
        address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
        EmailConfirmation.create(address)
        LogEntry.objects.create(user=user, action_flag=ADDITION, object_repr="it")
        Invitation.objects.create(email="bob@archived.test", invited_by=user)
        UsedHandoverToken.objects.create(nonce="n1")
        session = SessionStore()
        session["k"] = "v"
        session.create()


def table_rows(schema_name: str) -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE nspname = %s AND relkind = 'r' ORDER BY relname",
            [schema_name],
        )
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            query = sql.SQL("SELECT * FROM {}.{} ORDER BY 1").format(
                sql.Identifier(schema_name), sql.Identifier(table)
            )
            cursor.execute(query.as_string(cursor.cursor.connection))
            rows[table] = cursor.fetchall()
    return rows


def sequence_values(schema_name: str) -> dict[str, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s",
            [schema_name],
        )
        return dict(cursor.fetchall())


def media_of(root: Path, schema_name: str) -> dict[str, bytes]:
    folder = root / schema_name
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def schemas_like(pattern: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [pattern])
        return [name for (name,) in cursor.fetchall()]


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


def test_round_trip_as_a_new_tenant_restores_every_row_sequence_and_media_file(
    archived, archive, settings
):
    _, made = archived
    made.append("restored")
    empty = [table for table, rows in table_rows(SOURCE).items() if not rows]
    assert empty == []  # the round trip below compares something in every table

    restored = import_tenant(archive, schema_name="restored", domain="restored.example.com")

    assert table_rows("restored") == table_rows(SOURCE)
    assert sequence_values("restored") == sequence_values(SOURCE)
    root = Path(settings.MEDIA_ROOT)
    assert media_of(root, "restored") == media_of(root, SOURCE) == MEDIA_FILES
    assert restored.name == "Archived Inc"
    assert list(restored.domains.values_list("domain", "is_primary")) == [
        ("restored.example.com", True)
    ]
    with restored:  # the restored sequences go on from where the source's were
        assert ProjectFactory().pk == sequence_values(SOURCE)["tenant_app_project_id_seq"] + 1


def test_the_manifest_lists_rows_migrations_versions_and_a_checksum_per_file(archive):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))

    assert names[0] == "manifest.json"
    assert set(names) == {
        "manifest.json",
        "schema.dump",
        "media/notes.txt",
        "media/avatars/ann.png",
    }
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert manifest["schema"] == SOURCE
    assert manifest["client"]["name"] == "Archived Inc"
    assert manifest["domains"] == [{"domain": host(SOURCE), "is_primary": True}]
    assert manifest["row_counts"]["tenant_app_project"] == 2
    assert ["tenant_app", "0001_initial"] in manifest["migrations"]
    assert manifest["project"]["name"] and manifest["project"]["version"]
    assert manifest["postgresql"].split(".")[0].isdigit()


def test_the_commands_export_and_import_a_tenant(archived, tmp_path):
    _, made = archived
    made.append("by_command")
    out = io.StringIO()

    call_command("exporttenant", SOURCE, "-o", str(tmp_path / "a.tar.gz"), stdout=out)
    call_command(
        "importtenant",
        str(tmp_path / "a.tar.gz"),
        "--schema=by_command",
        "--domain=by-command.example.com",
        stdout=out,
    )

    assert "Exported archived: 14 tables" in out.getvalue()
    assert Domain.objects.get(domain="by-command.example.com").tenant.schema_name == "by_command"


def test_exporting_an_unknown_tenant_is_a_clear_error(committed_db, tmp_path):
    with pytest.raises(CommandError, match="No tenant has the schema 'nobody'"):
        call_command("exporttenant", "nobody", "-o", str(tmp_path / "x.tar.gz"))
    assert list(tmp_path.iterdir()) == []


def repack(archive: Path, out: Path, change) -> Path:
    """``archive`` with its members passed through ``change(name, data) -> data``."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def with_manifest(**changes):
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return json.dumps(manifest).encode()

    return change


BAD_ARCHIVES = {
    "truncated": (
        lambda a, out: out.write_bytes(a.read_bytes()[: a.stat().st_size // 2]) or out,
        "corrupt or truncated",
    ),
    "not_gzip": (
        lambda a, out: out.write_bytes(b"not an archive at all") or out,
        "corrupt or truncated",
    ),
    "wrong_checksum": (
        lambda a, out: repack(a, out, lambda n, d: d + b"!" if n == "media/notes.txt" else d),
        "Checksum mismatch for media/notes.txt",
    ),
    "another_project": (
        lambda a, out: repack(a, out, with_manifest(project={"name": "other", "version": "1"})),
        "comes from the project 'other'",
    ),
    "newer_migrations": (
        lambda a, out: repack(
            a, out, with_manifest(migrations=lambda m: [*m, ["tenant_app", "9999_future"]])
        ),
        "migrations this code does not know .*tenant_app.9999_future",
    ),
    "wrong_row_counts": (
        lambda a, out: repack(
            a, out, with_manifest(row_counts=lambda c: {**c, "tenant_app_project": 7})
        ),
        "do not hold the rows the manifest lists",
    ),
}


@pytest.mark.parametrize("kind", BAD_ARCHIVES)
def test_a_bad_archive_is_refused_with_nothing_left_behind(kind, archive, settings, tmp_path):
    make, message = BAD_ARCHIVES[kind]
    bad = make(archive, tmp_path / f"{kind}.tar.gz")

    with pytest.raises(CommandError, match=message):
        call_command("importtenant", str(bad), "--schema=bad_copy", "--domain=bad.example.com")

    assert not Client.objects.filter(schema_name="bad_copy").exists()
    assert not Domain.objects.filter(domain="bad.example.com").exists()
    assert schemas_like("bad_copy") == []
    assert not (Path(settings.MEDIA_ROOT) / "bad_copy").exists()


@pytest.mark.parametrize(
    ("schema_name", "domain", "message"),
    [
        ("public", "p.example.com", "'public' is reserved"),
        ("www", "p.example.com", "'www' is reserved"),
        ("acme", "p.example.com", "already uses the schema 'acme'"),
        ("fresh_copy", host("acme"), "Domain with this Domain already exists"),
    ],
)
def test_a_reserved_or_taken_name_is_refused_before_anything_is_restored(
    schema_name, domain, message, archive
):
    with pytest.raises(ArchiveError, match=message):
        import_tenant(archive, schema_name=schema_name, domain=domain)

    assert schemas_like("fresh_copy") == []
    assert Client.objects.get(schema_name="acme").domains.count() == 1

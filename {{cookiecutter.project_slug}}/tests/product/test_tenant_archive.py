"""Export one customer to an archive and restore it as a new tenant (exporttenant, importtenant).

Every test here uses committed data (``committed_db``, through the ``archived`` fixture):
pg_dump and psql read and write on connections of their own. The fixture removes the tenants and
schemas that a test lists in ``made``.
"""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pgschemas.fleet.plans import migration_graph
from shared_app.archive_format import ArchiveError
from shared_app.lifecycle import ACTIONS, ActionRefused
from shared_app.models import Client, Domain, OperatorAction
from shared_app.tenant_export import archive_before_purge, export_tenant
from shared_app.tenant_import import import_tenant, replaced_schemas
from tenant_app.models import Project

from ..conftest import host
from ..factories import ProjectFactory
from .archives import (
    MEDIA_FILES,
    SOURCE,
    media_of,
    repack,
    schemas_like,
    sequence_values,
    table_rows,
    with_manifest,
)

# Tables of the apps the template ships, which fill_every_table fills (before the first "_").
TEMPLATE_TABLE_PREFIXES = {"tenant", "users", "auth", "account", "django"}


def test_round_trip_as_a_new_tenant_restores_every_row_sequence_and_media_file(
    archived, archive, settings
):
    _, made = archived
    made.append("restored")
    # The round trip below compares something in every table of the template's apps (tables of
    # apps a team adds later may be empty here).
    empty = [
        table
        for table, rows in table_rows(SOURCE).items()
        if not rows and table.split("_")[0] in TEMPLATE_TABLE_PREFIXES
    ]
    assert empty == []

    restored = import_tenant(archive, schema_name="restored", domain="restored.example.com").client

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

    assert f"Exported archived: {len(table_rows(SOURCE))} tables" in out.getvalue()
    assert Domain.objects.get(domain="by-command.example.com").tenant.schema_name == "by_command"


def test_exporting_an_unknown_tenant_is_a_clear_error(committed_db, tmp_path):
    with pytest.raises(CommandError, match="No tenant has the schema 'nobody'"):
        call_command("exporttenant", "nobody", "-o", str(tmp_path / "x.tar.gz"))
    assert list(tmp_path.iterdir()) == []


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
    "newer_format": (
        lambda a, out: repack(a, out, with_manifest(format=3)),
        r"Archive format 3 is not one we read \(1 to 2\)",
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


def test_a_media_folder_left_under_the_new_name_is_refused_and_kept(archive, settings):
    leftover = Path(settings.MEDIA_ROOT) / "fresh_copy" / "keep.txt"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"someone's")

    with pytest.raises(ArchiveError, match="media folder .* exists already"):
        import_tenant(archive, schema_name="fresh_copy", domain="fresh.example.com")

    assert leftover.read_bytes() == b"someone's"
    assert schemas_like("fresh_copy") == []


def test_exporting_into_a_missing_folder_is_a_clear_error(archived, tmp_path):
    with pytest.raises(CommandError, match="the folder .*/missing does not exist"):
        call_command("exporttenant", SOURCE, "-o", str(tmp_path / "missing" / "a.tar.gz"))


def test_an_archive_older_than_the_code_is_migrated_forward(archived, tmp_path):
    """The source schema taken back to before tenant_app 0005 (which only creates these two
    tables) and every migration that depends on it (a project's own later ones included)."""
    _, made = archived
    made.append("from_older")
    rewound = migration_graph().graph.backwards_plan(("tenant_app", "0005_workspace_security"))
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE archived.tenant_app_workspacesecurity, archived.tenant_app_auditevent"
        )
        for app, name in rewound:
            cursor.execute(
                "DELETE FROM archived.django_migrations WHERE app = %s AND name = %s", [app, name]
            )
    export_tenant(SOURCE, tmp_path / "older.tar.gz")

    import_tenant(tmp_path / "older.tar.gz", schema_name="from_older", domain="old.example.com")

    restored = table_rows("from_older")
    assert restored["tenant_app_workspacesecurity"] == restored["tenant_app_auditevent"] == []
    assert ("tenant_app", "0005_workspace_security") in {
        (app, name) for _, app, name, _ in restored["django_migrations"]
    }
    assert restored["tenant_app_project"] == table_rows(SOURCE)["tenant_app_project"]


def test_the_purge_keeps_an_archive_of_the_tenant_in_the_archives_folder(
    archived, settings, tmp_path
):
    settings.TENANT_ARCHIVES_DIR = tmp_path / "archives"

    written = archive_before_purge(Client.objects.get(schema_name=SOURCE))

    assert written.parent == tmp_path / "archives" and written.name.startswith(f"{SOURCE}-")
    with tarfile.open(written) as archive:
        assert json.load(archive.extractfile("manifest.json"))["schema"] == SOURCE


def test_the_console_s_export_and_restore_put_a_workspace_back_as_it_was(
    archived, settings, tmp_path
):
    settings.TENANT_ARCHIVES_DIR = tmp_path / "archives"
    tenant, _ = archived
    before = table_rows(SOURCE)

    try:
        ACTIONS["export"].run(tenant, by="ops@example.com", reason="before the import")
        with tenant:
            Project.objects.all().delete()  # the customer's bad import
        ACTIONS["restore"].run(tenant, by="ops@example.com", reason="undo the bad import")

        assert table_rows(SOURCE) == before
        records = OperatorAction.objects.filter(schema_name=SOURCE).order_by("pk")
        assert [done.action for done in records] == ["export", "restore"]
        assert replaced_schemas(SOURCE)  # the replaced schema is kept until purged
    finally:
        OperatorAction.objects.filter(schema_name=SOURCE).delete()


def test_restoring_without_an_archive_is_refused_with_what_to_do(archived, settings, tmp_path):
    settings.TENANT_ARCHIVES_DIR = tmp_path / "none"
    tenant, _ = archived

    with pytest.raises(ActionRefused, match="export it first"):
        ACTIONS["restore"].run(tenant, by="ops@example.com", reason="undo")

"""Export one customer (its schema, its Client, Domain and custom domain rows, its media files) to
an archive."""

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from pgschemas.exceptions import SchemaNotFound
from pgschemas.fleet.dumps import dump_schema
from pgschemas.fleet.pgtools import server_version

from .archive_format import (
    DUMP,
    MEDIA,
    ArchiveError,
    Manifest,
    project_identity,
    sha256_of,
    write_archive,
)
from .archived_domains import archived_custom_domains
from .models import (
    # >>> include_billing
    BILLING_STATE_FIELDS,
    # <<< include_billing
    Client,
)

# A copy restored as a new tenant is a new customer: it starts on the default plan.
CLIENT_FIELDS_NOT_EXPORTED = (
    "id",
    "schema_name",
    "plan",
    # >>> include_billing
    *BILLING_STATE_FIELDS,
    # <<< include_billing
)


def media_folder(schema_name: str) -> Path:
    """Where ``TenantFileSystemStorage`` keeps the tenant's files."""
    return Path(settings.MEDIA_ROOT) / schema_name


def default_archive_name(schema_name: str) -> str:
    return f"{schema_name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def archive_before_purge(tenant: Client) -> Path:
    """The project's ``PGSCHEMAS_PURGE_EXPORT``: the tenant's archive in ``TENANT_ARCHIVES_DIR``,
    kept after its data is purged (restore it with ``importtenant``)."""
    folder = Path(settings.TENANT_ARCHIVES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / default_archive_name(tenant.schema_name)
    export_tenant(tenant.schema_name, out)
    return out


def newest_archive(schema_name: str) -> Path | None:
    """The tenant's newest archive in ``TENANT_ARCHIVES_DIR`` (names sort by their time)."""
    archives = sorted(Path(settings.TENANT_ARCHIVES_DIR).glob(f"{schema_name}-*.tar.gz"))
    return archives[-1] if archives else None


def export_tenant(schema_name: str, out: Path) -> Manifest:
    """Write the archive of the tenant ``schema_name`` to ``out``; return its manifest.

    The schema is dumped from one snapshot while its writers carry on; the media files are
    copied as they are when the copy reaches them.
    """
    client = Client.objects.filter(schema_name=schema_name).first()
    if client is None:
        raise SchemaNotFound(f"No tenant has the schema {schema_name!r}.")
    if not out.parent.is_dir():
        raise ArchiveError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".export-") as temporary:
        folder = Path(temporary)
        snapshot = dump_schema(schema_name, folder / DUMP)
        media = media_folder(schema_name)
        if media.is_dir():
            shutil.copytree(media, folder / MEDIA, symlinks=True)
        files = sorted(
            path.relative_to(folder).as_posix()
            for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink()
        )
        manifest = Manifest(
            schema=schema_name,
            client={
                field.name: (
                    None
                    if field.value_from_object(client) is None
                    else field.value_to_string(client)
                )
                for field in Client._meta.concrete_fields
                if field.name not in CLIENT_FIELDS_NOT_EXPORTED
            },
            domains=list(client.domains.order_by("domain").values("domain", "is_primary")),
            custom_domains=archived_custom_domains(client),
            migrations=sorted([app, name] for app, name in snapshot.migrations),
            row_counts=snapshot.row_counts,
            files={name: sha256_of(folder / name) for name in files},
            project=project_identity(),
            postgresql=server_version(),
            created_at=datetime.now(UTC).isoformat(),
        )
        write_archive(manifest, folder, out)
    return manifest

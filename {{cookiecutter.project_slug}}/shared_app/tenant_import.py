"""Restore a customer from its archive: as a new tenant, or in place of the live one.

Both restore the dump into a schema of its own, compare each table's row count with the
manifest and migrate it forward; only then does the restored schema become a tenant (new rows
in public) or replace the live schema (renames in one short transaction, the old schema kept as
``_replaced_<time>_<name>``). A failure at any step drops what was made and leaves the tenants
as they were. A new tenant gets the archive's custom domains back, pending (archived_domains);
``--replace`` keeps the live tenant's public rows, its custom domains included.
"""

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from pgschemas.availability import check_schema_name_available, schema_exists
from pgschemas.exceptions import SchemaNotFound
from pgschemas.fleet.dumps import restore_schema, row_counts, swap_schemas
from pgschemas.fleet.migrator import migrate_schema
from pgschemas.fleet.plans import expected_migrations
from pgschemas.fleet.provisioning import drop_schema
from pgschemas.models import LifecycleFields
from pgschemas.schema import NamedSchema

from .archive_format import DUMP, MEDIA, ArchiveError, Manifest, unpack
from .archived_domains import RestoredDomains, restore_custom_domains
from .models import Client, CustomDomain, Domain
from .tenant_export import media_folder

REPLACED_PREFIX = "_replaced_"
RESTORING_PREFIX = "_restoring_"
LIFECYCLE_FIELDS = {field.name for field in LifecycleFields._meta.local_fields}


@dataclass(frozen=True)
class Imported:
    client: Client
    custom_domains: RestoredDomains


def import_tenant(archive: Path, *, schema_name: str, domain: str) -> Imported:
    """A new tenant ``schema_name`` served at ``domain`` with the archive's data, files and
    custom domains (pending; those another workspace holds now are skipped, with the reason)."""
    try:
        check_schema_name_available(schema_name)
        Domain(domain=domain, is_primary=True).full_clean(exclude=["tenant"])
    except ValidationError as error:
        raise ArchiveError(" ".join(error.messages)) from None
    if CustomDomain.objects.filter(domain=domain).exists():
        raise ArchiveError(
            f"{domain} is a workspace's custom domain (served only once verified): choose "
            "another domain."
        )
    if media_folder(schema_name).exists():
        raise ArchiveError(
            f"The media folder {media_folder(schema_name)} exists already (left by a deleted "
            "tenant?): move it away or choose another schema name."
        )
    with tempfile.TemporaryDirectory(prefix="import-") as temporary:
        folder = Path(temporary)
        manifest = unpack(archive, folder)
        restore_checked(folder, manifest, schema_name)
        try:
            with transaction.atomic():
                client = Client(**_client_fields(manifest))
                client.schema_name = schema_name
                client.auto_create_schema = False  # restored above
                client.save()
                Domain.objects.create(tenant=client, domain=domain, is_primary=True)
                custom_domains = restore_custom_domains(client, manifest.custom_domains)
                _copy_media(folder, media_folder(schema_name))
        except BaseException:
            drop_schema(schema_name)
            shutil.rmtree(media_folder(schema_name), ignore_errors=True)
            raise
    return Imported(client, custom_domains)


def replace_tenant(archive: Path, *, schema_name: str) -> str:
    """Put the archive's data and files in place of the tenant's; return the kept schema's name.

    The Client, Domain and custom domain rows stay as they are (routing is unaffected: the schema
    keeps its name); the tenant's requests see the old data until the swap, the new data after it.
    """
    if not Client.objects.filter(schema_name=schema_name).exists():
        raise SchemaNotFound(f"No tenant has the schema {schema_name!r}.")
    stamp = f"{datetime.now(UTC):%Y%m%d%H%M%S}"
    fresh = f"{RESTORING_PREFIX}{stamp}_{schema_name}"[:63]
    kept = f"{REPLACED_PREFIX}{stamp}_{schema_name}"[:63]
    for name in (fresh, kept):
        if schema_exists(name):
            raise ArchiveError(f"Schema {name!r} exists already: try again in a second.")
    with tempfile.TemporaryDirectory(prefix="replace-") as temporary:
        folder = Path(temporary)
        manifest = unpack(archive, folder)
        restore_checked(folder, manifest, fresh)
        live_media, new_media = media_folder(schema_name), media_folder(fresh)
        try:
            _copy_media(folder, new_media)
            swap_schemas(
                schema_name,
                fresh,
                kept,
                then=lambda: _swap_folders(live_media, new_media, media_folder(kept)),
            )
        except BaseException:
            drop_schema(fresh)
            shutil.rmtree(new_media, ignore_errors=True)
            raise
    return kept


def replaced_schemas(schema_name: str | None = None) -> list[str]:
    """The schemas kept by ``--replace`` (of the tenant ``schema_name``, or all), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE starts_with(nspname, %s) "
            "ORDER BY nspname",
            [REPLACED_PREFIX],
        )
        names = [name for (name,) in cursor.fetchall()]
    if schema_name is None:
        return names
    return [name for name in names if name.split("_", 3)[-1] == schema_name]


def restore_checked(folder: Path, manifest: Manifest, schema_name: str) -> None:
    """The archive's schema as ``schema_name``, checked and migrated forward, or nothing."""
    newer = {tuple(key) for key in manifest.migrations} - expected_migrations()
    if newer:
        raise ArchiveError(
            f"The archive has migrations this code does not know (it comes from a newer "
            f"version): {', '.join(f'{app}.{name}' for app, name in sorted(newer))}."
        )
    restore_schema(folder / DUMP, original=manifest.schema, target=schema_name)
    try:
        with connection.cursor() as cursor:
            restored = row_counts(cursor.cursor, schema_name)
        if restored != manifest.row_counts:
            raise ArchiveError(
                "The restored tables do not hold the rows the manifest lists: "
                f"{sorted(set(restored.items()) ^ set(manifest.row_counts.items()))}."
            )
        migrate_schema(NamedSchema(schema_name, dynamic=True))
    except BaseException:
        drop_schema(schema_name)
        raise


def _client_fields(manifest: Manifest) -> dict[str, object]:
    """The archive's Client fields but its lifecycle state: a restored tenant starts active (the
    purge's archive of a deleted one says pending deletion, and its purge date has passed)."""
    fields = {field.name: field for field in Client._meta.concrete_fields}
    return {
        name: fields[name].to_python(value)
        for name, value in manifest.client.items()
        if name in fields and not fields[name].auto_created and name not in LIFECYCLE_FIELDS
    }


def _copy_media(folder: Path, target: Path) -> None:
    if (folder / MEDIA).is_dir():
        shutil.copytree(folder / MEDIA, target)


def _swap_folders(live: Path, new: Path, kept: Path) -> None:
    """The tenant's media folder replaced by ``new``, the old one kept as ``kept``."""
    if live.exists():
        live.rename(kept)
    if new.exists():
        try:
            new.rename(live)
        except BaseException:
            if kept.exists():
                kept.rename(live)
            raise

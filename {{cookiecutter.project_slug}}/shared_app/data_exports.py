"""The owner's "Download all your data": the workspace's archive, kept a day in
``WORKSPACE_EXPORTS_DIR/<schema>/`` (outside ``MEDIA_ROOT``: never served by the web server) and
sent only through the workspace's own download view."""

import secrets
import time
from pathlib import Path

from django.conf import settings

from .tenant_export import default_archive_name, export_tenant

EXPORT_LIFETIME = 24 * 3600  # seconds: the download link's life too


def exports_folder(schema_name: str) -> Path:
    return Path(settings.WORKSPACE_EXPORTS_DIR) / schema_name


def export_for_download(schema_name: str) -> str:
    """Export the workspace; return the archive's file name. Archives older than a day go."""
    folder = exports_folder(schema_name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.tar.gz"):
        if old.stat().st_mtime < time.time() - EXPORT_LIFETIME:
            old.unlink(missing_ok=True)
    # Not guessable, although only a signed link of this workspace's owners can name it.
    name = default_archive_name(schema_name).replace(".tar.gz", f"-{secrets.token_hex(8)}.tar.gz")
    export_tenant(schema_name, folder / name)
    return name


def exported_file(schema_name: str, name: str) -> Path | None:
    """The archive ``name`` of the workspace, if it is still kept."""
    path = exports_folder(schema_name) / name
    if Path(name).name != name or name.startswith(".") or not path.is_file():
        return None
    return path

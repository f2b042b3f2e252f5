"""The archive of one customer: a ``.tar.gz`` with ``manifest.json``, ``schema.dump`` (pg_dump's
custom format) and ``media/...`` (the files of ``MEDIA_ROOT/<schema>/``).

The manifest says what the archive holds (the Client and Domain rows, the custom domains, the
migrations applied, each table's row count, the project and PostgreSQL versions) and the sha256
of every other file, so that a restore can refuse an archive that is damaged, foreign or newer
than the code.

Formats: 2 added ``custom_domains``; an archive of format 1 (made before) is read as having none.
"""

import hashlib
import json
import tarfile
import tomllib
import zlib
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from pgschemas.exceptions import TenancyError

FORMAT = 2  # the one written; every format from 1 up to it is read
MANIFEST = "manifest.json"
DUMP = "schema.dump"
MEDIA = "media"
CHUNK = 1 << 20


class ArchiveError(TenancyError):
    """The archive cannot be restored here; the message says why. Nothing was kept."""


@dataclass
class Manifest:
    schema: str
    client: dict[str, str | None]
    domains: list[dict[str, Any]]
    migrations: list[list[str]]
    row_counts: dict[str, int]
    files: dict[str, str]  # name in the archive -> sha256
    project: dict[str, str]
    postgresql: str
    created_at: str
    format: int = FORMAT
    custom_domains: list[dict[str, Any]] = field(default_factory=list)  # from format 2


@cache
def project_identity() -> dict[str, str]:
    """The project's name and version, from its pyproject.toml."""
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    return {"name": project["name"], "version": project["version"]}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(manifest: Manifest, folder: Path, out: Path) -> None:
    """Pack ``folder`` (the files the manifest lists) with the manifest into ``out``, whole or
    not at all (written beside it, then renamed)."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode()
            (folder / MANIFEST).write_bytes(data)
            tar.add(folder / MANIFEST, arcname=MANIFEST)
            for name in manifest.files:
                tar.add(folder / name, arcname=name, recursive=False)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def unpack(archive: Path, into: Path) -> Manifest:
    """Extract ``archive`` into the empty folder ``into``, check it and return its manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                _extract(tar, member, into)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveError(
            f"{archive} is not a readable archive (corrupt or truncated?): {error}"
        ) from error
    return _checked_manifest(into)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, into: Path) -> None:
    name = PurePosixPath(member.name)
    allowed = member.name in (MANIFEST, DUMP) or (
        name.parts[0] == MEDIA and len(name.parts) > 1 and ".." not in name.parts
    )
    if not member.isfile() or name.is_absolute() or not allowed:
        raise ArchiveError(f"Unexpected entry {member.name!r} in the archive: not one of ours.")
    target = into / name
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    assert source is not None  # a regular file
    with source, target.open("wb") as file:
        while chunk := source.read(CHUNK):
            file.write(chunk)


def _checked_manifest(folder: Path) -> Manifest:
    try:
        manifest = Manifest(**json.loads((folder / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError) as error:
        raise ArchiveError(f"The archive has no valid {MANIFEST}: {error}") from error
    if manifest.format not in range(1, FORMAT + 1):
        raise ArchiveError(
            f"Archive format {manifest.format} is not one we read (1 to {FORMAT}): it comes from "
            "a newer version?"
        )
    ours = project_identity()["name"]
    if manifest.project.get("name") != ours:
        raise ArchiveError(
            f"The archive comes from the project {manifest.project.get('name')!r}, not {ours!r}."
        )
    present = {
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    } - {MANIFEST}
    if present != set(manifest.files) or DUMP not in present:
        raise ArchiveError(
            "The archive's files do not match its manifest (missing or extra: "
            f"{sorted(present ^ set(manifest.files)) or [DUMP]})."
        )
    for name, expected in sorted(manifest.files.items()):
        if sha256_of(folder / name) != expected:
            raise ArchiveError(f"Checksum mismatch for {name}: the archive is damaged.")
    return manifest

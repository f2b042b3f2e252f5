"""Sending one of the active tenant's media files, once a view has decided who may read it.

The web server must never serve ``MEDIA_ROOT`` itself: the folders are named after the schemas,
so anyone could read every tenant's files at predictable URLs. ``settings.MEDIA_SERVER`` says who
sends the bytes after the view's checks:

- ``"django"``: Django streams the file (``FileResponse``); for development and small sites.
- ``"x-accel-redirect"``: nginx (or Caddy) sends ``MEDIA_INTERNAL_URL<schema>/<name>`` from an
  internal location mapped to ``MEDIA_ROOT``; clients cannot request that location themselves.
- ``"x-sendfile"``: Apache's mod_xsendfile (or lighttpd) sends the file at the path named.

A storage without local files (S3) answers with a redirect to ``storage.url(name)``, which
django-storages signs and limits in time (``querystring_auth``, on by default).
"""

import mimetypes
import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

MEDIA_SERVERS = ("django", "x-accel-redirect", "x-sendfile")
# Uploaded files are served on the workspace's own host: a page or an SVG among them must not run
# scripts there, nor be framed, nor be kept by shared caches.
MEDIA_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private",
}


def media_response(name: str, storage: Storage = default_storage) -> HttpResponseBase:
    """The file ``name`` of ``storage`` (in the active tenant's folder), or 404."""
    try:
        found = storage.exists(name)
    except SuspiciousFileOperation:  # e.g. "../othertenant/file"
        found = False
    if not found:
        raise Http404("No such file.")
    if not isinstance(storage, FileSystemStorage):  # no local files: the storage's signed URL
        return HttpResponseRedirect(storage.url(name))
    response = _local_file_response(Path(storage.path(name)))
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response


def _local_file_response(path: Path) -> HttpResponseBase:
    server = settings.MEDIA_SERVER
    if server == "django":
        return FileResponse(path.open("rb"))
    content_type, _ = mimetypes.guess_type(path.name)
    response = HttpResponse(content_type=content_type or "application/octet-stream")
    if server == "x-accel-redirect":
        relative = Path(os.path.relpath(path, settings.MEDIA_ROOT)).as_posix()
        response["X-Accel-Redirect"] = settings.MEDIA_INTERNAL_URL + quote(relative)
    elif server == "x-sendfile":
        response["X-Sendfile"] = str(path)
    else:
        raise ImproperlyConfigured(
            f"MEDIA_SERVER is {server!r}; use one of {', '.join(MEDIA_SERVERS)}."
        )
    return response

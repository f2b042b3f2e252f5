"""Media files per tenant: each schema's files live under a folder of its own name."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from .schema import get_active_schema


class TenantFileSystemStorage(FileSystemStorage):
    """``MEDIA_ROOT/<schema>/...`` on disk, served at ``MEDIA_URL<schema>/...``.

    The folder is chosen at each call from the active schema, so one storage object serves every
    tenant; a name saved in one tenant does not resolve in another.
    """

    @property  # type: ignore[override]
    def base_location(self) -> str:
        root = self._value_or_setting(self._location, settings.MEDIA_ROOT)
        return os.path.join(root, get_active_schema().schema_name)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property  # type: ignore[override]
    def base_url(self) -> str:
        url = self._value_or_setting(self._base_url, settings.MEDIA_URL)
        if url and not url.endswith("/"):
            url += "/"
        return f"{url}{get_active_schema().schema_name}/"

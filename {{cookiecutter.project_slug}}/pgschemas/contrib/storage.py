"""Media files per tenant: each schema's files live under a folder of its own name."""

import os

from django.core.files.storage import FileSystemStorage

from ..schema import get_active_schema


class TenantFileSystemStorage(FileSystemStorage):
    """``MEDIA_ROOT/<schema>/...`` on disk, served at ``MEDIA_URL<schema>/...``.

    The folder is chosen at each call from the active schema (these are properties, where Django
    caches them), so one storage object serves every tenant, and a name saved in one tenant does
    not resolve in another.
    """

    @property
    def base_location(self) -> str:
        return os.path.join(super().base_location, get_active_schema().schema_name)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str:
        return f"{super().base_url}{get_active_schema().schema_name}/"

"""Media files per tenant: each schema's files live under a folder of its own name."""

import os

from django.core.files.storage import FileSystemStorage

from ..schema import get_active_schema


class TenantFileSystemStorage(FileSystemStorage):
    """``MEDIA_ROOT/<schema>/...`` on disk, linked as ``MEDIA_URL<name>`` on the tenant's host.

    The folder is chosen at each call from the active schema (a property, where Django caches
    it), so one storage object serves every tenant, and a name saved in one tenant does not
    resolve in another. The URL does not name the schema: a view of the tenant's URLconf serves
    it to the tenant's members (``pgschemas.contrib.media``), never the web server from
    ``MEDIA_ROOT``.
    """

    @property
    def base_location(self) -> str:
        return os.path.join(super().base_location, get_active_schema().schema_name)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

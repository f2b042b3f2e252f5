"""A dynamic tenant's lifecycle states (``TenantMixin.status``; its columns are in models.py).

Routing reads the state from the tenant it already holds (the host map's entry), so enforcing
it costs no query (pgschemas.routing.gate). Static tenants and public are always active.
"""

from django.db import models


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    MAINTENANCE = "maintenance", "Maintenance"
    PENDING_DELETION = "pending_deletion", "Pending deletion"

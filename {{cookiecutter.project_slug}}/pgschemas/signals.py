"""Signals of the tenancy package."""

from django.dispatch import Signal

# Sent once a new tenant's schema exists and is migrated, with that schema active and inside the
# tenant's creation transaction (a failing receiver rolls the tenant back). Arguments: ``sender``
# (the tenant model) and ``tenant``. The place for a project's seeding of a new tenant's data:
# ``post_save`` of the tenant model comes before its schema exists.
schema_created = Signal()

"""Multi-tenancy on PostgreSQL schemas: one schema per tenant, chosen per request.

The contract follows django-pgschemas 0.1.2; this package is part of the project and yours to edit.
"""

"""What a workspace suspended for not paying still serves (``PGSCHEMAS_SUSPENDED_SERVES``): the
log-in pages, the billing pages (where the views admit owners only) and static files, so that its
owners can pay. A workspace an operator suspended stays closed."""

from django.conf import settings
from django.http import HttpRequest

from pgschemas.schema import Schema

from . import ACTOR

OPEN_WHILE_UNPAID = ("/billing/", "/accounts/login/", "/accounts/logout/")


def owners_may_pay(request: HttpRequest, tenant: Schema) -> bool:
    if getattr(tenant, "status_changed_by", "") != ACTOR:
        return False
    return request.path.startswith((*OPEN_WHILE_UNPAID, settings.STATIC_URL))

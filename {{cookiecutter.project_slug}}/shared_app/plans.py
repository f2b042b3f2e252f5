"""The plan catalogue's rules: the limits a workspace's plan puts on what it holds and does.

A limit is checked where the thing is added (a member invited or joining, a project created),
from the workspace's plan as the host map loaded it with the tenant (``PGSCHEMAS_ROUTING_RELATED``
in the settings): no query to public per request.
# >>> include_api
The API's requests a day are checked the same way, where they are made
(tenant_app/api/throttling.py).
# <<< include_api
An empty limit is unlimited (as is a workspace without a plan); 0 allows none.
"""

from dataclasses import dataclass

from .models import Client, Plan

LIMITS = {
    "members": ("max_members", "members"),
    "projects": ("max_projects", "projects"),
    # >>> include_api
    "api_requests": ("max_api_requests_per_day", "API requests a day"),
    # <<< include_api
}


# What a workspace over a limit can do about it.
# >>> include_billing
MORE_ROOM = "Upgrade to add more."  # on its billing page
# <<< include_billing
# >>> not include_billing
MORE_ROOM = "Contact us for a larger plan."  # the operator assigns plans
# <<< not include_billing


class LimitReached(Exception):
    """Adding one more would exceed the workspace's plan: the message says which limit."""


@dataclass(frozen=True)
class Usage:
    """How much of one limit a workspace uses: ``limit`` None is unlimited."""

    used: int
    limit: int | None

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def limit_of(tenant: Client, what: str) -> int | None:
    plan: Plan | None = tenant.plan
    return None if plan is None else getattr(plan, LIMITS[what][0])


def limit_message(tenant: Client, what: str) -> str:
    """What the workspace's plan allows of ``what``, e.g. "Acme is on the Free plan, which
    allows 3 members." """
    return (
        f"{tenant.name} is on the {tenant.plan} plan, which allows {limit_of(tenant, what)} "
        f"{LIMITS[what][1]}."
    )


def check_room_for_one_more(tenant: Client, what: str, used: int) -> None:
    """Raise LimitReached if the workspace already holds as many ``what`` as its plan allows."""
    if Usage(used, limit_of(tenant, what)).full:
        raise LimitReached(f"{limit_message(tenant, what)} {MORE_ROOM}")

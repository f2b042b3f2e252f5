"""The plan catalogue's rules: the limits a workspace's plan puts on what it holds.

A limit is checked where the thing is added (a member invited or joining, a project created),
from the workspace's plan as the host map loaded it with the tenant (``PGSCHEMAS_ROUTING_RELATED``
in the settings): no query to public per request.
"""

from dataclasses import dataclass

from .models import Client, Plan

LIMITS = {
    "members": ("max_members", "members"),
    "projects": ("max_projects", "projects"),
}


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


def check_room_for_one_more(tenant: Client, what: str, used: int) -> None:
    """Raise LimitReached if the workspace already holds as many ``what`` as its plan allows."""
    usage = Usage(used, limit_of(tenant, what))
    if usage.full:
        noun = LIMITS[what][1]
        raise LimitReached(
            f"{tenant.name} is on the {tenant.plan} plan, which allows {usage.limit} {noun}. "
            "Upgrade to add more."
        )

"""What this workspace holds of each limit its plan sets (shared_app.plans): counted in the
workspace's schema, compared with the plan the host map loaded with the tenant.

Adding one more goes through ``room_for_one_more``: the check and the insert share one
transaction holding the workspace's lock for that limit, so two requests at once cannot both
take the last place."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from shared_app.models import Client
from shared_app.plans import Usage, check_room_for_one_more, limit_of

from .models import Invitation, Project


def used(what: str) -> int:
    """Members count their pending invitations: each is a seat once accepted."""
    if what == "projects":
        return Project.objects.count()
    members = get_user_model().objects.filter(is_active=True).count()
    return members + Invitation.objects.filter(accepted_at__isnull=True).count()


def usage(tenant: Client) -> dict[str, Usage]:
    return {what: Usage(used(what), limit_of(tenant, what)) for what in ("members", "projects")}


def check_room(tenant: Client, what: str) -> None:
    """Raise shared_app.plans.LimitReached if ``what`` has no room for one more."""
    check_room_for_one_more(tenant, what, used(what))


@contextmanager
def room_for_one_more(tenant: Client, what: str) -> Iterator[None]:
    """Add one ``what`` inside: raises shared_app.plans.LimitReached (nothing added) when the
    plan has no room. A transaction-scoped advisory lock per workspace and limit is taken
    before counting and held until the addition commits: a second request waits, then counts
    the first one's. No lock for an unlimited plan."""
    with transaction.atomic():
        if limit_of(tenant, what) is not None:
            with connection.cursor() as cursor:
                lock = f"plan-limit:{tenant.schema_name}:{what}"
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock])
            check_room(tenant, what)
        yield

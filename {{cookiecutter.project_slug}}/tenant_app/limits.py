"""What this workspace holds of each limit its plan sets (shared_app.plans): counted in the
workspace's schema, compared with the plan the host map loaded with the tenant."""

from django.contrib.auth import get_user_model

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

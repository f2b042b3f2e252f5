"""Who may remove whom from a workspace, or change their role: it always keeps an owner, and its
first owner (the one who created it, or the longest-standing owner after they left) goes, or
becomes a member, only by their own hand, once another owner can take over."""

from users.models import User


class MembershipRefused(Exception):
    """The removal would break a rule above; the message says which."""


def first_owner_id() -> int | None:
    owners = User.objects.filter(role=User.Role.OWNER, is_active=True)
    return owners.order_by("date_joined", "pk").values_list("pk", flat=True).first()


def check_owner_may_go(by: User, member: User, going: str) -> None:
    """Refuse to lose ``member`` as an owner (``going``: what they would do) against the rules."""
    if member.pk == first_owner_id() and member.pk != by.pk:
        raise MembershipRefused(f"{member.email} created this workspace: only they can {going}.")
    if member.is_owner:
        owners = User.objects.filter(role=User.Role.OWNER, is_active=True)
        if not owners.exclude(pk=member.pk).exists():
            raise MembershipRefused(
                "A workspace keeps at least one owner: make another member an owner first."
            )


def remove_from_workspace(by: User, member: User) -> None:
    check_owner_may_go(by, member, "leave it")
    member.delete()


def change_role(by: User, member: User, role: str) -> None:
    if role not in User.Role.values:
        raise MembershipRefused(f"Choose one of: {', '.join(User.Role.values)}.")
    if role == member.role:
        raise MembershipRefused(f"{member.email} is already {member.get_role_display().lower()}.")
    if role != User.Role.OWNER:
        check_owner_may_go(by, member, "stop being an owner")
    member.role = role
    member.save(update_fields=["role"])

"""Who may remove whom from a workspace: it always keeps an owner, and its first owner (the one
who created it, or the longest-standing owner after they left) goes only by their own hand, once
another owner can take over."""

from users.models import User


class MemberNotRemoved(Exception):
    """The removal would break a rule above; the message says which."""


def first_owner_id() -> int | None:
    owners = User.objects.filter(role=User.Role.OWNER, is_active=True)
    return owners.order_by("date_joined", "pk").values_list("pk", flat=True).first()


def remove_from_workspace(by: User, member: User) -> None:
    if member.pk == first_owner_id() and member.pk != by.pk:
        raise MemberNotRemoved(f"{member.email} created this workspace: only they can leave it.")
    if member.is_owner:
        owners = User.objects.filter(role=User.Role.OWNER, is_active=True)
        if not owners.exclude(pk=member.pk).exists():
            raise MemberNotRemoved(
                "A workspace keeps at least one owner: make another member an owner first."
            )
    member.delete()

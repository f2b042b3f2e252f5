"""What each customer owns: these tables exist once per dynamic tenant schema."""

from django.conf import settings
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An e-mail address invited to join this workspace; accepting it creates the member."""

    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.email


class UsedHandoverToken(models.Model):
    """A sign-up hand-over token already redeemed here, so it cannot be replayed."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.nonce


class WorkspaceSecurity(models.Model):
    """The workspace's security policy, set by its owners: one row (``load()`` reads it, or the
    defaults while none was saved)."""

    require_two_factor = models.BooleanField(
        "Require two-factor for every member",
        default=False,
        help_text="Members without an authenticator app or a passkey set one up before any "
        "other page.",
    )

    class Meta:
        verbose_name_plural = "workspace security"

    def __str__(self) -> str:
        return "Security policy"

    @classmethod
    def load(cls) -> "WorkspaceSecurity":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

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


class ApiKey(models.Model):
    """A key to this workspace's API (tenant_app/api/keys.py makes and checks them).

    Only the key's SHA-256 is stored; ``prefix`` is its visible start, which names the workspace
    and finds the row. A revoked key stays listed with its revocation time.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=80, unique=True)
    hashed_key = models.CharField(max_length=64)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class ApiUsage(models.Model):
    """Requests to the API in a day (UTC) by one key, or by members' sessions (``key`` empty).
    Written in batches from counters in the cache (tenant_app/api/usage.py)."""

    day = models.DateField()
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "key_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "key"], name="one_usage_row_a_day", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.requests}"

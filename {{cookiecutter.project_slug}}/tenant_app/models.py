"""What each customer owns: these tables exist once per dynamic tenant schema."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
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


# >>> include_api
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


# <<< include_api
POLICY_CACHE_KEY = "tenant_app.workspace_security"
POLICY_CACHE_SECONDS = 60


class WorkspaceSecurity(models.Model):
    """The workspace's security policy, set by its owners: one row (``load()`` reads it, or the
    defaults while none was saved)."""

    require_two_factor = models.BooleanField(
        "Require two-factor for every member",
        default=False,
        help_text="Members without an authenticator app or a passkey set one up before any "
        "other page.",
    )
    allow_support_access = models.BooleanField(
        "Allow support access",
        default=True,
        help_text="Our support staff may open a member's session here, for a limited time and "
        "with a reason, each time recorded in the audit log.",
    )
    sso_only = models.BooleanField(
        "Single sign-on only",
        default=False,
        help_text="Members log in through your identity provider only; owners keep their "
        "password, so a broken provider cannot lock the workspace out.",
    )
    sso_domains = models.CharField(
        "Join from these domains",
        max_length=500,
        blank=True,
        help_text="Comma-separated e-mail domains: a person your identity provider vouches for "
        "with such an address becomes a member at their first log-in. Empty: invitations only.",
    )

    class Meta:
        verbose_name_plural = "workspace security"

    def __str__(self) -> str:
        return "Security policy"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(POLICY_CACHE_KEY)

    @classmethod
    def load(cls) -> "WorkspaceSecurity":
        """Read on every request of a logged-in member (users/two_factor.py): from the cache
        (its keys are per schema), at most POLICY_CACHE_SECONDS old when changed elsewhere."""
        policy = cache.get(POLICY_CACHE_KEY)
        if policy is None:
            policy = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
        return policy

    def joins_from(self, email: str) -> bool:
        domains = {d.strip().lower().lstrip("@") for d in self.sso_domains.split(",")}
        return email.rpartition("@")[2].lower() in domains - {""}


class AuditEvent(models.Model):
    """The workspace's audit log, append-only: who did what, when, from which address; written
    in the transaction of the action it records (tenant_app/audit.py), never changed (``save``
    refuses an existing row), shown to owners."""

    class Action(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed log-in"
        LOGOUT = "logout", "Logged out"
        TWO_FACTOR_ADDED = "two_factor_added", "Two-factor added"
        TWO_FACTOR_REMOVED = "two_factor_removed", "Two-factor removed"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Recovery codes renewed"
        PASSKEY_ADDED = "passkey_added", "Passkey added"
        PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
        MEMBER_INVITED = "member_invited", "Member invited"
        INVITATION_WITHDRAWN = "invitation_withdrawn", "Invitation withdrawn"
        MEMBER_JOINED = "member_joined", "Member joined"
        MEMBER_REMOVED = "member_removed", "Member removed"
        ROLE_CHANGED = "role_changed", "Role changed"
        API_KEY_CREATED = "api_key_created", "API key created"  # >>> include_api <<<
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"  # >>> include_api <<<
        DATA_EXPORT = "data_export", "Data export requested"
        DATA_EXPORT_DOWNLOADED = "data_export_downloaded", "Data export downloaded"
        AUDIT_EXPORT = "audit_export", "Audit log exported"
        SUPPORT_ACCESS = "support_access", "Support access"
        SUPPORT_ENDED = "support_ended", "Support session ended"
        SECURITY_SETTINGS = "security_settings", "Security settings changed"
        SSO_SETTINGS = "sso_settings", "Single sign-on changed"
        PROJECT_DELETED = "project_deleted", "Project deleted"
        WORKSPACE_DELETION = "workspace_deletion", "Workspace deletion requested"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=254)
    action = models.CharField(max_length=40, choices=Action.choices)
    address = models.GenericIPAddressField("from", null=True, blank=True)
    reason = models.TextField(blank=True)
    until = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    @property
    def summary(self) -> str:
        """The details as one line: ``name: value`` pairs, booleans as on or off."""
        return " · ".join(
            f"{name}: {('on' if value else 'off') if isinstance(value, bool) else value}"
            for name, value in self.details.items()
        )

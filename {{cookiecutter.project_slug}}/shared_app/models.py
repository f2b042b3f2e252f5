"""Who the customers are and where they are served; these tables live in the public schema."""

import unicodedata
from datetime import timedelta  # >>> include_billing <<<
from decimal import Decimal  # >>> include_billing <<<
from typing import Any

from django.conf import settings  # >>> include_billing <<<
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from pgschemas.models import DomainMixin, TenantMixin

from .links import workspace_url


def single_line(text: str) -> str:
    """``text`` on one line: control characters and line breaks become spaces, runs of spaces
    one. A name goes into e-mail subjects, where a line break is refused."""
    controls = {"Cc", "Zl", "Zp"}
    return " ".join(
        "".join(" " if unicodedata.category(char) in controls else char for char in text).split()
    )


class Plan(models.Model):
    """A plan of the catalogue: what a workspace may hold (limits left empty are unlimited).

    # >>> include_billing
    Prices are per member (seat) and shown on the pricing page; the Stripe price ids are what
    Checkout charges.
    # <<< include_billing
    Edited in the operator admin; the default set comes from a data migration
    (shared_app/migrations/0008_default_plans.py)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    is_free = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the catalogue.")
    # >>> include_billing
    monthly_price_cents = models.PositiveIntegerField(default=0)
    yearly_price_cents = models.PositiveIntegerField(default=0)
    stripe_monthly_price_id = models.CharField(max_length=255, blank=True)
    stripe_yearly_price_id = models.CharField(max_length=255, blank=True)
    # <<< include_billing
    max_members = models.PositiveIntegerField(null=True, blank=True)
    max_projects = models.PositiveIntegerField(null=True, blank=True)
    # >>> include_api
    max_api_requests_per_day = models.PositiveIntegerField(null=True, blank=True)
    # <<< include_api

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    # >>> include_billing
    @property
    def monthly_price(self) -> Decimal:
        return Decimal(self.monthly_price_cents) / 100

    @property
    def yearly_price(self) -> Decimal:
        return Decimal(self.yearly_price_cents) / 100

    # <<< include_billing


# >>> include_billing
class BillingStatus(models.TextChoices):
    """Where a workspace stands with paying (docs/billing.md has what each allows)."""

    FREE = "free", "Free"
    TRIALING = "trialing", "Trial"
    ACTIVE = "active", "Paying"
    PAST_DUE = "past_due", "Payment failed"
    CANCELED = "canceled", "Cancelled"


# <<< include_billing
class Client(TenantMixin):
    name = models.CharField(max_length=100)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="tenants"
    )
    # >>> include_billing
    billing_status = models.CharField(
        max_length=20, choices=BillingStatus, default=BillingStatus.FREE
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    paid_until = models.DateField(blank=True, null=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # <<< include_billing
    created_on = models.DateField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.schema_name

    @property
    def primary_domain(self) -> str:
        """The domain links to this workspace use: the primary one (else the first by name)."""
        return self.domains.order_by("-is_primary", "domain").values_list("domain", flat=True)[0]

    def url(self, path: str = "/") -> str:
        """An absolute link to ``path`` on this workspace, e.g. for an e-mail."""
        return workspace_url(self.primary_domain, path)

    def clean(self) -> None:
        self.name = single_line(self.name)
        if not self.name:
            raise ValidationError({"name": "Enter a name that has letters or digits."})
        super().clean()

    # >>> include_billing
    @property
    def trial_days_left(self) -> int:
        if self.trial_ends_at is None:
            return 0
        return max((self.trial_ends_at - timezone.now()).days + 1, 0)

    # <<< include_billing
    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = single_line(self.name)
        if self._state.adding and self.plan_id is None:
            self.start_on_default_plan()
        super().save(*args, **kwargs)

    def start_on_default_plan(self) -> None:
        # >>> include_billing
        """A new workspace tries the default paid plan for ``BILLING_TRIAL_DAYS`` (default 14);
        with no trial (0) or no paid plan in the catalogue, it starts on the free plan."""
        trial_plan = Plan.objects.filter(is_free=False).first()
        if settings.BILLING_TRIAL_DAYS > 0 and trial_plan is not None:
            self.plan = trial_plan
            self.billing_status = BillingStatus.TRIALING
            self.trial_ends_at = timezone.now() + timedelta(days=settings.BILLING_TRIAL_DAYS)
            return
        # <<< include_billing
        # >>> not include_billing
        """A new workspace starts on the free plan; the operator assigns another in the admin."""
        # <<< not include_billing
        self.plan = Plan.objects.filter(is_free=True).first()


# >>> include_billing
# Written by billing_app (trials, Stripe's events) only: read-only in the admin, not exported.
BILLING_STATE_FIELDS = (
    "billing_status",
    "trial_ends_at",
    "past_due_since",
    "paid_until",
    "stripe_customer_id",
    "stripe_subscription_id",
)


# <<< include_billing
class Domain(DomainMixin):
    pass


class WorkspaceAccount(models.Model):
    """An e-mail address with an account in a customer's workspace: "find my workspace" reads
    this small index in public instead of every schema. Signals on the user model keep it current
    (shared_app.workspace_index)."""

    tenant = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="accounts")
    user_id = models.BigIntegerField()
    email = models.EmailField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user_id"], name="one_entry_per_tenant_user")
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.tenant}"


class OperatorAction(models.Model):
    """One change made to a workspace by an operator (or its owner): who, when, what, why.

    Written by shared_app.lifecycle with the change itself, in one transaction. The schema name
    is kept beside the link to the workspace, which a purge removes."""

    tenant = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    schema_name = models.CharField(max_length=63, db_index=True)
    action = models.CharField(max_length=40)
    actor = models.CharField(max_length=254)
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.schema_name} by {self.actor}"


class TenantStats(models.Model):
    """Figures of one workspace for the operator console, gathered by a periodic task
    (shared_app.stats) so that listing thousands of workspaces reads no schema."""

    tenant = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    members = models.PositiveIntegerField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)
    gathered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"stats of {self.tenant_id}"


# >>> include_api
class WorkspaceApiUsage(models.Model):
    """Requests to a workspace's API in a day (UTC), all its keys and members together: rolled
    up from the workspace's own counts (tenant_app.models.ApiUsage) by the periodic task
    ``main_app.tasks.roll_up_api_usage``, for the operator."""

    tenant = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="api_usage")
    day = models.DateField()
    requests = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day", "tenant_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="one_api_usage_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.day}: {self.requests}"


# <<< include_api


class CustomDomain(models.Model):
    """A host name of the customer's own (``projects.acme-corp.com``) that a workspace's owner
    asked for, and where its proof of ownership stands (shared_app.custom_domains has the rules
    and the moves between states). Only a verified one is served: it then has a Domain row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the DNS record"
        VERIFIED = "verified", "Verified"
        FAILING = "failing", "DNS record missing"

    tenant = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="custom_domains")
    domain = models.CharField(max_length=253, unique=True)
    token = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    pending_since = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

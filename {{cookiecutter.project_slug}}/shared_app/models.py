"""Who the customers are and where they are served; these tables live in the public schema."""

from django.db import models

from pgschemas.models import DomainMixin, TenantMixin

from .links import workspace_url


class Client(TenantMixin):
    name = models.CharField(max_length=100)
    paid_until = models.DateField(blank=True, null=True)
    on_trial = models.BooleanField(default=True)
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

"""Who the customers are and where they are served; these tables live in the public schema."""

from django.db import models

from pgschemas.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    name = models.CharField(max_length=100)
    paid_until = models.DateField(blank=True, null=True)
    on_trial = models.BooleanField(default=True)
    created_on = models.DateField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.schema_name


class Domain(DomainMixin):
    pass

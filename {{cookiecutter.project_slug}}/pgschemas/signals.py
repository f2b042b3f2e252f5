"""Forget cached host routing whenever a tenant or one of its domains changes."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from .hosts import forget_domains
from .models import get_domain_model, get_tenant_model


def _forget_domain(instance: Any, **kwargs: Any) -> None:
    forget_domains(instance.domain)


def _forget_tenant_domains(instance: Any, **kwargs: Any) -> None:
    domains = get_domain_model()._default_manager.filter(tenant=instance)
    forget_domains(*domains.values_list("domain", flat=True))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_forget_domain, sender=get_domain_model())
        signal.connect(_forget_tenant_domains, sender=get_tenant_model())

"""Check the host map again whenever a tenant or one of its domains changes in this process.

Other processes, and changes that send no signal (``QuerySet.update()``, raw SQL), are caught
by the host map's own check (see host_map.py).
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from .hosts import routing_changed
from .models import get_domain_model, get_tenant_model


def _routing_changed(**kwargs: Any) -> None:
    routing_changed()


def connect() -> None:
    for signal in (post_save, post_delete):
        for model in (get_domain_model(), get_tenant_model()):
            signal.connect(_routing_changed, sender=model)

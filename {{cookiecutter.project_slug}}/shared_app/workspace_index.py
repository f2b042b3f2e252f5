"""Keep shared_app.WorkspaceAccount in step with the users of every customer's workspace."""

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from pgschemas.schema import get_active_schema

from .models import WorkspaceAccount


def _active_tenant_id() -> int | None:
    schema = get_active_schema()
    return schema.pk if schema.is_dynamic else None  # type: ignore[attr-defined]


def record_user(instance: Any, **kwargs: Any) -> None:
    tenant_id = _active_tenant_id()
    if tenant_id is None:
        return  # operators on www, not a workspace account
    if instance.is_active:
        WorkspaceAccount.objects.update_or_create(
            tenant_id=tenant_id, user_id=instance.pk, defaults={"email": instance.email.lower()}
        )
    else:
        forget_user(instance)


def forget_user(instance: Any, **kwargs: Any) -> None:
    tenant_id = _active_tenant_id()
    if tenant_id is not None:
        WorkspaceAccount.objects.filter(tenant_id=tenant_id, user_id=instance.pk).delete()


def connect() -> None:
    post_save.connect(record_user, sender=settings.AUTH_USER_MODEL)
    post_delete.connect(forget_user, sender=settings.AUTH_USER_MODEL)

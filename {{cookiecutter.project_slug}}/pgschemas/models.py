"""Abstract models for the tenant (``Client``) and its domains, both living in public."""

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .availability import check_schema_name_available, validate_tenant_schema_name
from .config import get_tenants_config
from .exceptions import TenantSchemaError
from .fleet.creation import create_tenant_schema
from .fleet.provisioning import drop_schema
from .names import check_domain
from .schema import Schema
from .states import Status


class TenantQuerySet(models.QuerySet["TenantMixin"]):
    """Bulk deletes (``filter(...).delete()``, the admin's "delete selected") honour
    ``auto_drop_schema`` like ``instance.delete()``: the rows and the schemas go in one
    transaction."""

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            doomed = list(self.values_list("schema_name", flat=True))
            deleted = super().delete()
            if self.model.auto_drop_schema:
                for schema_name in doomed:
                    drop_schema(schema_name)
        return deleted


class LifecycleFields(models.Model):
    """The state, when and why it last changed and who changed it; the purge date of a tenant
    pending deletion. Change them through a service that records the action (the project's
    ``shared_app.lifecycle``), not by hand."""

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    status_changed_by = models.CharField(max_length=254, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class TenantMixin(Schema, LifecycleFields):
    """A dynamic tenant: saving a new one creates and migrates its schema, all or nothing.
    Its lifecycle state (``status`` and the columns beside it) is routed with it."""

    schema_name = models.CharField(
        max_length=63, unique=True, validators=[validate_tenant_schema_name]
    )

    is_dynamic = True
    auto_create_schema = True
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.schema_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self._refuse_rename()
            super().save(*args, **kwargs)
            return
        try:
            check_schema_name_available(self.schema_name)
        except ValidationError as error:
            if error.code != "leftover_schema":
                raise
            if self.auto_create_schema:
                raise TenantSchemaError(error.message) from None
        try:
            with transaction.atomic():
                super().save(*args, **kwargs)
                if self.auto_create_schema:
                    create_tenant_schema(self)
        except BaseException:
            self.pk = None
            self._state.adding = True
            raise

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            if self.auto_drop_schema:
                drop_schema(self.schema_name)
        return deleted

    def clean(self) -> None:
        """Report a taken schema name as a form error (admin) rather than a failed save.

        A name the field's validator refuses (invalid, or reserved like ``public``) is left to
        that validator's message.
        """
        super().clean()
        if not self._state.adding:
            return
        try:
            validate_tenant_schema_name(self.schema_name)
        except ValidationError:
            return
        try:
            check_schema_name_available(self.schema_name)
        except ValidationError as error:
            raise ValidationError({"schema_name": error.messages}) from None

    def _refuse_rename(self) -> None:
        stored = (
            type(self)._default_manager.filter(pk=self.pk).values_list("schema_name", flat=True)
        )
        if stored and stored[0] != self.schema_name:
            raise ValidationError(
                f"schema_name cannot change after creation ({stored[0]!r} -> "
                f"{self.schema_name!r}): create a new tenant instead."
            )


class DomainMixin(models.Model):
    """A host name routed to a tenant; at most one primary domain per tenant."""

    domain = models.CharField(
        max_length=253,
        unique=True,
        validators=[check_domain],  # type: ignore[list-item]
    )
    tenant = models.ForeignKey(
        get_tenants_config().tenant_model, on_delete=models.CASCADE, related_name="domains"
    )
    is_primary = models.BooleanField(default=False)
    # A former domain (the tenant was renamed): redirects to the primary domain until then.
    redirect_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="%(app_label)s_%(class)s_one_primary_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = check_domain(self.domain.strip().lower())
        self._refuse_static_domain()
        domains = type(self)._default_manager
        with transaction.atomic():
            if self.is_primary:
                primary = domains.filter(tenant_id=self.tenant_id, is_primary=True)
                primary.exclude(pk=self.pk).update(is_primary=False)
            super().save(*args, **kwargs)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Validate the domain as ``save()`` stores it: stripped and lower-cased."""
        if isinstance(self.domain, str):
            self.domain = self.domain.strip().lower()
        super().clean_fields(exclude)

    def clean(self) -> None:
        """Refuse a static tenant's domain as a form error (admin) rather than a failed save."""
        super().clean()
        self._refuse_static_domain()

    def _refuse_static_domain(self) -> None:
        static = get_tenants_config().static_by_domain.get(self.domain)
        if static is not None:
            raise ValidationError(
                {
                    "domain": f"{self.domain!r} is already routed to the static tenant "
                    f"{static.name!r} in settings.TENANTS; choose another domain."
                }
            )

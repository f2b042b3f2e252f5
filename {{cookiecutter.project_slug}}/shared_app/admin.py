"""Customers are managed from the operator's admin on www (main_app.admin), never a tenant's."""

from django.contrib import admin

from main_app.admin import operator_admin
from pgschemas.exceptions import TenantSchemaError

from .models import Client, Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 1


# Changed only through shared_app.lifecycle, which records who, when and why.
LIFECYCLE_FIELDS = ("status", "status_changed_at", "status_reason", "status_changed_by")


@admin.register(Client, site=operator_admin)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "schema_name", "status", "on_trial", "paid_until", "created_on")
    list_filter = ("status",)
    search_fields = ("name", "schema_name", "domains__domain")
    inlines = [DomainInline]

    def get_readonly_fields(self, request, obj=None):
        return (*LIFECYCLE_FIELDS, "purge_after", "schema_name") if obj is not None else ()

    def get_exclude(self, request, obj=None):
        return None if obj is not None else (*LIFECYCLE_FIELDS, "purge_after")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Show a schema that could not be created as a form error, not a 500.

        The failed save rolled everything back (the admin's transaction); the form is shown again,
        with what was entered and the reason.
        """
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TenantSchemaError as error:
            request.tenant_schema_error = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        schema_error = getattr(request, "tenant_schema_error", None)
        if schema_error is None:
            return form_class

        class FailedCreationForm(form_class):
            def clean(self):
                self.add_error(None, schema_error)
                return self.cleaned_data

        return FailedCreationForm


@admin.register(Domain, site=operator_admin)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "tenant", "is_primary")
    search_fields = ("domain",)

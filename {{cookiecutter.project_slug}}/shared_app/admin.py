"""Customers are managed from the operator's admin on www (main_app.admin), never a tenant's."""

from django.contrib import admin

from main_app.admin import operator_admin
from pgschemas.exceptions import TenantSchemaError

from .models import Client, Domain, WorkspaceApiUsage


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 1


@admin.register(Client, site=operator_admin)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "schema_name", "on_trial", "paid_until", "created_on")
    search_fields = ("name", "schema_name", "domains__domain")
    inlines = [DomainInline]

    def get_readonly_fields(self, request, obj=None):
        return ("schema_name",) if obj is not None else ()

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


@admin.register(WorkspaceApiUsage, site=operator_admin)
class WorkspaceApiUsageAdmin(admin.ModelAdmin):
    """Read only: written by main_app.tasks.roll_up_api_usage."""

    list_display = ("day", "tenant", "requests")
    list_filter = ("day",)
    search_fields = ("tenant__name", "tenant__schema_name")
    ordering = ("-day", "-requests")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

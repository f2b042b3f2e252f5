"""Customers are managed from the operator's admin on www (main_app.admin), never a tenant's."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from main_app.admin import operator_admin
from pgschemas.exceptions import TenantSchemaError

from .forms import ReasonForm
from .lifecycle import ACTIONS, Action, ActionRefused
from .models import (
    # >>> include_billing
    BILLING_STATE_FIELDS,
    # <<< include_billing
    Client,
    Domain,
    OperatorAction,
    Plan,
    # >>> include_api
    WorkspaceApiUsage,
    # <<< include_api
)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 1


@admin.register(Plan, site=operator_admin)
class PlanAdmin(admin.ModelAdmin):
    # >>> include_billing
    """The plan catalogue: names, prices, Stripe price ids and limits (empty: unlimited)."""

    list_display = ("name", "slug", "is_free", "monthly_price_cents", "max_members", "max_projects")
    # <<< include_billing
    # >>> not include_billing
    """The plan catalogue: names and limits (empty: unlimited)."""

    list_display = ("name", "slug", "is_free", "max_members", "max_projects")
    # <<< not include_billing
    prepopulated_fields = {"slug": ("name",)}


# Changed only through shared_app.lifecycle, which records who, when and why.
LIFECYCLE_FIELDS = ("status", "status_changed_at", "status_reason", "status_changed_by")


@admin.register(Client, site=operator_admin)
class ClientAdmin(admin.ModelAdmin):
    # >>> include_billing
    list_display = ("name", "schema_name", "status", "plan", "billing_status", "created_on")
    list_filter = ("status", "plan", "billing_status")
    # <<< include_billing
    # >>> not include_billing
    list_display = ("name", "schema_name", "status", "plan", "created_on")
    list_filter = ("status", "plan")
    # <<< not include_billing
    search_fields = ("name", "schema_name", "domains__domain")
    inlines = [DomainInline]

    def get_actions(self, request, action_location=None):
        """Django's actions, then every lifecycle action (shared_app.lifecycle.ACTIONS), each
        asking for a reason on a page of its own before it runs. ``action_location`` is Django
        6.1's (where the actions are shown), passed on when given."""
        where = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **where)
        for action in ACTIONS.values():
            if action.form is not None:
                continue  # more than a reason to ask: the console's page of the workspace does
            name = f"lifecycle_{action.name}"
            actions[name] = (lifecycle_admin_action(action), name, f"{action.label}…")
        return actions

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            *LIFECYCLE_FIELDS,
            # >>> include_billing
            *BILLING_STATE_FIELDS,
            # <<< include_billing
            "purge_after",
            "schema_name",
        )

    def get_exclude(self, request, obj=None):
        if obj is not None:
            return None
        return (
            *LIFECYCLE_FIELDS,
            # >>> include_billing
            *BILLING_STATE_FIELDS,
            # <<< include_billing
            "purge_after",
        )

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


def lifecycle_admin_action(action: Action) -> Callable[..., TemplateResponse | None]:
    def run(
        modeladmin: ClientAdmin, request: HttpRequest, queryset: QuerySet[Client]
    ) -> TemplateResponse | None:
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": f"{action.label}: why?",
                "action": action,
                "tenants": queryset,
                "form": form,
                "opts": modeladmin.model._meta,
                "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_name": f"lifecycle_{action.name}",
            }
            return TemplateResponse(request, "admin/shared_app/lifecycle_action.html", context)
        for tenant in queryset:
            try:
                action.run(tenant, by=request.user.email, reason=form.cleaned_data["reason"])
            except ActionRefused as error:
                modeladmin.message_user(request, str(error), messages.WARNING)
            else:
                modeladmin.message_user(request, f"{action.label}: {tenant.name} (recorded).")
        return None

    return run


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the code alone: listed, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OperatorAction, site=operator_admin)
class OperatorActionAdmin(ReadOnlyAdmin):
    """The record of lifecycle actions: read only."""

    list_display = ("at", "action", "schema_name", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("schema_name", "actor", "reason")


# >>> include_api
@admin.register(WorkspaceApiUsage, site=operator_admin)
class WorkspaceApiUsageAdmin(ReadOnlyAdmin):
    """Written by main_app.tasks.roll_up_api_usage."""

    list_display = ("day", "tenant", "requests")
    list_filter = ("day",)
    search_fields = ("tenant__name", "tenant__schema_name")
    ordering = ("-day", "-requests")


# <<< include_api

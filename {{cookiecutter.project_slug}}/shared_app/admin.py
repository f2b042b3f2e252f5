"""Customers are managed from the operator's admin on www (main_app.admin), never a tenant's."""

from django.contrib import admin

from main_app.admin import operator_admin

from .models import Client, Domain


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


@admin.register(Domain, site=operator_admin)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "tenant", "is_primary")
    search_fields = ("domain",)

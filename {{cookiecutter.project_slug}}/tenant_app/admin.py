from django.conf import settings
from django.contrib import admin

from .models import Invitation, Project

admin.site.site_header = admin.site.site_title = f"{settings.PROJECT_NAME} workspace admin"


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "invited_by", "created_at", "accepted_at")
    search_fields = ("email",)

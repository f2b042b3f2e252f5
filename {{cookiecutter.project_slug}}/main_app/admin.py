"""The operator's admin, served on www only: customers, their domains, and www's own staff."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

operator_admin = admin.AdminSite(name="operator_admin")
operator_admin.site_header = operator_admin.site_title = "Operator admin"
operator_admin.register(User, UserAdmin)
operator_admin.register(Group, GroupAdmin)

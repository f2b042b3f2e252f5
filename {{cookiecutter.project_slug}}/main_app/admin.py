"""The operator's admin, served on www only: customers, their domains, and www's own staff."""

from django.conf import settings
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from users.admin import EmailUserAdmin
from users.admin_login import RateLimitedAdminSite
from users.models import User

operator_admin = RateLimitedAdminSite(name="operator_admin")
operator_admin.site_header = operator_admin.site_title = f"{settings.PROJECT_NAME} operator admin"
operator_admin.register(User, EmailUserAdmin)
operator_admin.register(Group, GroupAdmin)

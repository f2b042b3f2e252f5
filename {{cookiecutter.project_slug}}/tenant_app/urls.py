from allauth.decorators import rate_limit
from allauth.socialaccount.providers.openid_connect import views as openid_connect
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import (
    billing_views,  # >>> include_billing <<<
    domain_views,
    settings_views,
    views,
)
from .accounts import ChangeEmailView, WorkspaceLoginView

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("projects/<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path("members/<int:pk>/role/", views.change_member_role, name="change_member_role"),
    path(
        "members/invitations/<int:pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    # >>> include_billing
    path("billing/", billing_views.billing, name="billing"),
    path("billing/upgrade/", billing_views.upgrade, name="billing_upgrade"),
    path("billing/manage/", billing_views.manage_billing, name="billing_manage"),
    # <<< include_billing
    path("settings/", settings_views.workspace_settings, name="workspace_settings"),
    path("settings/security/", settings_views.security_settings, name="security_settings"),
    path("settings/audit/", settings_views.audit_log, name="audit_log"),
    path("settings/audit/export/", settings_views.export_audit_log, name="export_audit_log"),
    path("settings/sso/", settings_views.sso_settings, name="sso_settings"),
    path(
        "settings/support/<int:event>/end/",
        settings_views.end_support_session,
        name="end_support_session",
    ),
    path("settings/rename/", settings_views.rename_workspace, name="rename_workspace"),
    path("settings/delete/", settings_views.delete_workspace, name="delete_workspace"),
    path("settings/export/", views.request_data_export, name="request_data_export"),
    path("settings/export/<str:token>/", views.download_data_export, name="download_data_export"),
    path("settings/domains/", domain_views.custom_domain_list, name="custom_domains"),
    path(
        "settings/domains/subdomain-primary/",
        domain_views.make_subdomain_primary,
        name="make_subdomain_primary",
    ),
    path(
        "settings/domains/<int:pk>/check/",
        domain_views.check_custom_domain,
        name="check_custom_domain",
    ),
    path(
        "settings/domains/<int:pk>/primary/",
        domain_views.make_custom_domain_primary,
        name="make_custom_domain_primary",
    ),
    path(
        "settings/domains/<int:pk>/remove/",
        domain_views.remove_custom_domain,
        name="remove_custom_domain",
    ),
    # >>> include_api
    path("settings/api-keys/", settings_views.create_api_key, name="create_api_key"),
    path(
        "settings/api-keys/<int:pk>/revoke/",
        settings_views.revoke_api_key,
        name="revoke_api_key",
    ),
    path("api/v1/", include("tenant_app.api.urls")),
    # <<< include_api
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", views.media_file, name="media_file"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("support/<str:token>/", views.support_session, name="support_session"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("accounts/email/", ChangeEmailView.as_view(), name="account_email"),
    path("accounts/login/", WorkspaceLoginView.as_view(), name="account_login"),
    # Each start of a single sign-on asks the identity provider: limited per client address.
    path(
        "accounts/oidc/<str:provider_id>/login/",
        rate_limit(action="sso_login")(openid_connect.login),
        name="openid_connect_login",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

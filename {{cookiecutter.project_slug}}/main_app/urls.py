from django.urls import include, path

from billing_app.views import stripe_webhook

from . import console, views
from .admin import operator_admin

urlpatterns = [
    path("", views.home, name="home"),
    path("pricing/", views.pricing, name="pricing"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.confirm_signup, name="confirm_signup"),
    path("find-my-workspace/", views.find_workspace, name="find_workspace"),
    path("console/", console.tenant_list, name="console"),
    path("console/<str:schema_name>/", console.tenant_detail, name="console_tenant"),
    path("console/<str:schema_name>/rename/", console.rename_tenant, name="console_rename"),
    path(
        "console/<str:schema_name>/support/",
        console.open_support_session,
        name="console_support",
    ),
    path(
        "console/<str:schema_name>/support/<int:event>/end/",
        console.end_support_session,
        name="console_end_support",
    ),
    path("console/<str:schema_name>/do/<str:name>/", console.run_action, name="console_action"),
    path("billing/webhook/", stripe_webhook, name="stripe_webhook"),
    path("accounts/", include("allauth.urls")),  # operators' log-in with two-factor
    path("admin/", operator_admin.urls),
]

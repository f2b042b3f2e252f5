from django.urls import include, path

from . import console, views
from .admin import operator_admin

urlpatterns = [
    path("", views.home, name="home"),
    path("pricing/", views.pricing, name="pricing"),  # >>> include_billing <<<
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.confirm_signup, name="confirm_signup"),
    path("find-my-workspace/", views.find_workspace, name="find_workspace"),
    path("console/", console.tenant_list, name="console"),
    # >>> include_api
    path("console/api-usage/", console.api_usage, name="console_api_usage"),
    # <<< include_api
    path("console/<str:schema_name>/", console.tenant_detail, name="console_tenant"),
    path("console/<str:schema_name>/rename/", console.rename_tenant, name="console_rename"),
    path(
        "console/<str:schema_name>/support/",
        console.open_support_session,
        name="console_support",
    ),
    path("console/<str:schema_name>/do/<str:name>/", console.run_action, name="console_action"),
    path("billing/", include("billing_app.urls")),  # Stripe's webhook  # >>> include_billing <<<
    path("accounts/", include("allauth.urls")),  # operators' log-in with two-factor
    path("admin/", operator_admin.urls),
]

from allauth.decorators import rate_limit
from allauth.socialaccount.providers.github.views import oauth2_login as github_login
from allauth.socialaccount.providers.google.views import oauth2_login as google_login
from allauth.socialaccount.providers.openid_connect import views as openid_connect
from django.urls import include, path

from . import console, social_views, views
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
    path(
        "console/<str:schema_name>/support/<int:event>/end/",
        console.end_support_session,
        name="console_end_support",
    ),
    path("console/<str:schema_name>/do/<str:name>/", console.run_action, name="console_action"),
    path("billing/", include("billing_app.urls")),  # Stripe's webhook  # >>> include_billing <<<
    path("social/workspaces/", social_views.pick_workspace, name="social_pick"),
    path("social/signup/", social_views.social_signup, name="social_signup"),
    # Each start of a social log-in asks the provider: limited per client address.
    path(
        "accounts/oidc/<str:provider_id>/login/",
        rate_limit(action="social_login")(openid_connect.login),
        name="openid_connect_login",
    ),
    path("accounts/google/login/", rate_limit(action="social_login")(google_login)),
    path("accounts/github/login/", rate_limit(action="social_login")(github_login)),
    path("accounts/", include("allauth.urls")),  # operators' log-in with two-factor
    path("admin/", operator_admin.urls),
]

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

# schema: how keys appear in the OpenAPI schema, registered before drf-spectacular walks these
# URLs (not at start-up: every manage.py command would load drf-spectacular).
from . import schema, views  # noqa: F401

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only: no .json URLs
router.register("projects", views.ProjectViewSet, basename="project")
router.register("members", views.MemberViewSet, basename="member")

# Also served on the API host (host_urls.py).
api_patterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
]

app_name = "api"
urlpatterns = [
    *api_patterns,
    # The split view serves Swagger UI's start-up script as a file (?script): no inline script,
    # as the Content-Security-Policy wants. The page is for logged-in members.
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only: no .json URLs
router.register("projects", views.ProjectViewSet, basename="project")
router.register("members", views.MemberViewSet, basename="member")

app_name = "api"
urlpatterns = [path("", include(router.urls))]

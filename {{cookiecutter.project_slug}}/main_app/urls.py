from django.urls import path

from . import views
from .admin import operator_admin

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.confirm_signup, name="confirm_signup"),
    path("find-my-workspace/", views.find_workspace, name="find_workspace"),
    path("admin/", operator_admin.urls),
]

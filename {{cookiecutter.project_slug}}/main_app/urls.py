from django.urls import path

from . import views
from .admin import operator_admin

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", operator_admin.urls),
]

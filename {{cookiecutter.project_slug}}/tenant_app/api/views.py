"""The worked example to copy for a team's own models: a model's CRUD and a read-only list.
Any member (or key) reads and changes projects, as on the pages; members are read only. A new
project counts against the workspace's plan, as on the pages (403 ``limit_reached`` when full)."""

from django.contrib.auth import get_user_model
from rest_framework import filters, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.serializers import BaseSerializer

from shared_app.plans import LimitReached

from ..limits import room_for_one_more
from ..models import Project
from .serializers import MemberSerializer, ProjectSerializer


class ProjectViewSet(viewsets.ModelViewSet):
    """Projects: ``?search=`` in name and description, ``?ordering=name`` (or ``-created_at``)."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]

    def perform_create(self, serializer: BaseSerializer[Project]) -> None:
        try:
            with room_for_one_more(self.request._request.tenant, "projects"):
                serializer.save()
        except LimitReached as error:
            raise PermissionDenied(str(error), code="limit_reached") from error


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """The workspace's active members; ``?search=`` in e-mail, ``?role=owner``."""

    serializer_class = MemberSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["email"]

    def get_queryset(self):
        User = get_user_model()
        members = User.objects.filter(is_active=True)
        role = self.request.query_params.get("role")
        if role is None:
            return members
        if role not in User.Role.values:
            raise ValidationError({"role": [f"Choose one of: {', '.join(User.Role.values)}."]})
        return members.filter(role=role)

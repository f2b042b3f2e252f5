"""The worked example to copy for a team's own models: a model's CRUD and a read-only list.
Any member (or key) reads and changes projects, as on the pages; members are read only. A new
project counts against the workspace's plan, as on the pages (403 ``limit_reached`` when full)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework import filters, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.serializers import BaseSerializer

from shared_app.plans import LimitReached

from .. import audit
from ..limits import room_for_one_more
from ..models import AuditEvent, Project
from .authentication import KeyHolder
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

    def perform_destroy(self, instance: Project) -> None:
        """As on the pages, the deletion is in the workspace's audit log (the key, or the
        member, as the actor)."""
        user = self.request.user
        deleted = {"project": instance.name, "id": instance.pk}
        actor = str(user) if isinstance(user, KeyHolder) else None
        with transaction.atomic():
            instance.delete()
            audit.record(
                self.request._request, AuditEvent.Action.PROJECT_DELETED, actor=actor, **deleted
            )


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

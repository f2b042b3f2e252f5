from django.conf import settings
from django.http import HttpRequest


def project(request: HttpRequest) -> dict[str, object]:
    """The project's name and the tenant serving this request, for every template."""
    return {"project_name": settings.PROJECT_NAME, "tenant": getattr(request, "tenant", None)}

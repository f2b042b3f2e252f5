"""Background work of a customer: each task runs in the schema it was sent from."""

from config.celery_app import app

from .models import Project


@app.task
def project_names() -> list[str]:
    """The customer's project names, newest first."""
    return list(Project.objects.values_list("name", flat=True))


@app.task
def rename_project(project_id: int, name: str) -> str:
    """Rename one of the customer's projects; fails when this customer has no such project."""
    project = Project.objects.get(pk=project_id)
    project.name = name
    project.save(update_fields=["name"])
    return project.name

"""Background work of a customer: each task runs in the schema it was sent from."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from config.celery_app import app
from pgschemas.schema import get_active_schema
from shared_app.data_exports import export_for_download

from .models import Project
from .tokens import make_export_token


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


@app.task
def export_workspace_data(owner_id: int) -> str:
    """Export the customer's data and e-mail the owner who asked a link valid for a day."""
    workspace = get_active_schema()  # the Client the task was sent from (TenantTask)
    owner = get_user_model().objects.get(pk=owner_id, is_active=True)
    name = export_for_download(workspace.schema_name)
    token = make_export_token(workspace, name)
    link = workspace.url(reverse("download_data_export", args=[token]))
    send_mail(
        f"Your data export of {workspace.name} is ready",
        f"Download all the data of the workspace {workspace.name} here (signed in as an owner "
        f"of the workspace; the link works for 24 hours):\n\n{link}\n",
        None,
        [owner.email],
    )
    return name

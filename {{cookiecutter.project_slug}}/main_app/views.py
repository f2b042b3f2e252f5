from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from shared_app.links import workspace_url
from shared_app.models import Domain, WorkspaceAccount
from tenant_app.tokens import make_handover_token

from .forms import FindWorkspaceForm, SignupForm
from .signup import SubdomainUnavailable, WorkspaceNotCreated, create_workspace


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "main_app/home.html")


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workspace = create_workspace(
                name=data["workspace_name"],
                subdomain=data["subdomain"],
                email=data["email"],
                password=data["password"],
            )
        except SubdomainUnavailable as error:
            form.add_error("subdomain", str(error))
        except WorkspaceNotCreated as error:
            form.add_error(None, str(error))
        else:
            token = make_handover_token(workspace.client, workspace.owner_id)
            return HttpResponseRedirect(workspace.client.url(f"/welcome/{token}/"))
    return render(request, "main_app/signup.html", {"form": form})


def find_workspace(request: HttpRequest) -> HttpResponse:
    """E-mail the address its workspaces' links; the page says the same for unknown addresses."""
    form = FindWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        tenant_ids = WorkspaceAccount.objects.filter(email=email).values("tenant_id")
        domains = Domain.objects.filter(tenant__in=tenant_ids, is_primary=True)
        workspaces = [
            (domain.tenant.name, workspace_url(domain.domain))
            for domain in domains.select_related("tenant").order_by("tenant__name")
        ]
        if workspaces:
            links = "".join(f"{name}: {url}\n" for name, url in workspaces)
            body = f"{links}\nIf you did not ask for this message, you can ignore it.\n"
            send_mail(f"Your {settings.PROJECT_NAME} workspaces", body, None, [email])
        return render(request, "main_app/find_workspace_sent.html", {"email": email})
    return render(request, "main_app/find_workspace.html", {"form": form})

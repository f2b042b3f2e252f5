from allauth.core import ratelimit
from django.conf import settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe  # >>> include_billing <<<

from shared_app.models import Plan  # >>> include_billing <<<
from tenant_app.tokens import make_handover_token

from .forms import FindWorkspaceForm, OwnerPasswordForm, SignupForm
from .signup import (
    InvalidSignupLink,
    NewWorkspace,
    PendingSignup,
    SubdomainUnavailable,
    WorkspaceNotCreated,
    check_subdomain,
    create_workspace,
    make_signup_token,
    pending_signup,
    send_signup_link,
)
from .tasks import send_workspace_links

TOO_MANY = "Too many requests from your network or for this address. Please try again later."


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "main_app/home.html")


# >>> include_billing
@require_safe
def pricing(request: HttpRequest) -> HttpResponse:
    """The plan catalogue (shared_app.models.Plan), as the operator edits it."""
    context = {"plans": Plan.objects.all(), "trial_days": settings.BILLING_TRIAL_DAYS}
    return render(request, "main_app/pricing.html", context)


# <<< include_billing
def hand_over(workspace: NewWorkspace) -> HttpResponse:
    """Send the new owner to their workspace, logged in there by a one-time link."""
    token = make_handover_token(workspace.client, workspace.owner_id)
    return HttpResponseRedirect(workspace.client.url(f"/welcome/{token}/"))


def signup(request: HttpRequest) -> HttpResponse:
    """Create the workspace, or with SIGNUP_EMAIL_VERIFICATION e-mail the link that will."""
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not ratelimit.consume(request, action="workspace_signup", key=data["email"].lower()):
            form.add_error(None, TOO_MANY)
            status = 429
        elif settings.SIGNUP_EMAIL_VERIFICATION:
            pending = signup_of(form)
            token = make_signup_token(pending)
            send_signup_link(
                pending, request.build_absolute_uri(reverse("confirm_signup", args=[token]))
            )
            return render(request, "main_app/signup_sent.html", {"email": pending.email})
        else:
            created = create_and_hand_over(form, signup_of(form), password=data["password"])
            if created is not None:
                return created
    return render(request, "main_app/signup.html", {"form": form}, status=status)


def signup_of(form: Form) -> PendingSignup:
    """The workspace a valid sign-up form asks for (SignupForm, SocialSignupForm)."""
    data = form.cleaned_data
    return PendingSignup(data["workspace_name"], data["subdomain"], data["email"])


def create_and_hand_over(
    form: Form, signup: PendingSignup, password: str | None
) -> HttpResponse | None:
    """Create the workspace ``signup`` asks for and hand it over; None when refused, the reason
    added to ``form`` (to its sub-domain field if it has one)."""
    try:
        workspace = create_workspace(
            name=signup.name, subdomain=signup.subdomain, email=signup.email, password=password
        )
    except SubdomainUnavailable as error:
        form.add_error("subdomain" if "subdomain" in form.fields else None, str(error))
    except WorkspaceNotCreated as error:
        form.add_error(None, str(error))
    else:
        return hand_over(workspace)
    return None


def confirm_signup(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed sign-up link: the owner chooses a password and the workspace is created."""
    try:
        pending = pending_signup(token)
        check_subdomain(pending.subdomain)
    except (InvalidSignupLink, SubdomainUnavailable) as error:
        context = {"problem": str(error)}
        return render(request, "main_app/signup_link_refused.html", context, status=400)
    form = OwnerPasswordForm(pending.email, request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = create_and_hand_over(form, pending, password=form.cleaned_data["password"])
        if created is not None:
            return created
    return render(request, "main_app/confirm_signup.html", {"form": form, "signup": pending})


def find_workspace(request: HttpRequest) -> HttpResponse:
    """E-mail the address its workspaces' links from a task; the page says the same for
    unknown addresses, in the same time."""
    form = FindWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if not ratelimit.consume(request, action="find_workspace", key=email):
            form.add_error(None, TOO_MANY)
            return render(request, "main_app/find_workspace.html", {"form": form}, status=429)
        send_workspace_links.delay(email)
        return render(request, "main_app/find_workspace_sent.html", {"email": email})
    return render(request, "main_app/find_workspace.html", {"form": form})

"""A customer's workspace. Every view needs a logged-in member, except the links that bring a
person in (the sign-up hand-over, an invitation, an operator's support session); owners alone
manage members and settings."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import CreateView, DeleteView, ListView, UpdateView

from billing_app.tasks import seats_changed  # >>> include_billing <<<
from pgschemas.contrib.media import media_response
from shared_app.data_exports import exported_file

from . import audit, support
from .forms import AcceptInvitationForm, InvitationForm, ProjectForm
from .members import MembershipRefused, change_role, remove_from_workspace
from .models import AuditEvent, Invitation, Project
from .tasks import export_workspace_data
from .tokens import (
    InvalidToken,
    export_file_from_token,
    invitation_id_from_token,
    make_invitation_token,
    redeem_handover_token,
)

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
TOO_MANY_INVITATIONS = (
    "This workspace has sent as many invitations as it may in an hour. Please try again later."
)


def owner_required(request: HttpRequest) -> None:
    if not request.user.is_owner:
        raise PermissionDenied("Only the workspace's owners can do this.")


def owner_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An owner's action: a logged-in member's POST (else the log-in page, or 405), refused
    (403) unless they are an owner."""

    @wraps(view)
    def owners_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        owner_required(request)
        return view(request, *args, **kwargs)

    return login_required(require_POST(owners_only))


class DashboardView(LoginRequiredMixin, ListView):
    template_name = "tenant_app/dashboard.html"
    context_object_name = "projects"

    def get_queryset(self):
        return Project.objects.all()


class ProjectFormMixin:
    model = Project
    form_class = ProjectForm
    success_url = reverse_lazy("dashboard")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "tenant": self.request.tenant}  # type: ignore[misc]


class ProjectCreateView(LoginRequiredMixin, ProjectFormMixin, CreateView):
    def form_valid(self, form: ProjectForm) -> HttpResponse:
        self.object = form.save_within_plan()
        if self.object is None:  # the plan is full: the form says so
            return self.form_invalid(form)
        return redirect(self.get_success_url())


class ProjectUpdateView(LoginRequiredMixin, ProjectFormMixin, UpdateView):
    pass


class ProjectDeleteView(LoginRequiredMixin, DeleteView):
    model = Project
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form: Any) -> HttpResponse:
        project = {"project": self.object.name, "id": self.object.pk}
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(self.request, AuditEvent.Action.PROJECT_DELETED, **project)
        return response


@login_required
def members(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, tenant=request.tenant)
    status = 200
    if request.method == "POST":
        owner_required(request)
        if form.is_valid():
            workspace = request.tenant.schema_name
            if not ratelimit.consume(request, action="invite_member", key=workspace):
                form.add_error(None, TOO_MANY_INVITATIONS)
                status = 429
            else:
                with transaction.atomic():
                    invitation = form.save_within_plan(invited_by=request.user)
                    if invitation is not None:
                        audit.record(
                            request, AuditEvent.Action.MEMBER_INVITED, email=invitation.email
                        )
                if invitation is not None:
                    send_invitation(request, invitation)
                    messages.success(request, f"Invitation sent to {invitation.email}.")
                    return redirect("members")
    context = {
        "members": get_user_model().objects.filter(is_active=True),
        "invitations": Invitation.objects.filter(accepted_at__isnull=True),
        "form": form,
        "roles": get_user_model().Role.choices,
    }
    return render(request, "tenant_app/members.html", context, status=status)


def send_invitation(request: HttpRequest, invitation: Invitation) -> None:
    token = make_invitation_token(request.tenant, invitation.pk)
    link = request.tenant.url(reverse("accept_invitation", args=[token]))
    send_mail(
        f"Join {request.tenant.name}",
        f"{request.user.email} invites you to the workspace {request.tenant.name}.\n\n"
        f"Choose your password here to join: {link}\n",
        None,
        [invitation.email],
    )


@owner_post
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(get_user_model(), pk=pk)
    email = member.email
    try:
        with transaction.atomic():
            remove_from_workspace(request.user, member)
            audit.record(request, AuditEvent.Action.MEMBER_REMOVED, email=email)
    except MembershipRefused as error:
        messages.error(request, str(error))
    else:
        seats_changed(request.tenant)  # >>> include_billing <<<
        messages.success(request, f"{email} was removed.")
    return redirect("members")


@owner_post
def change_member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(get_user_model(), pk=pk, is_active=True)
    before = member.get_role_display()
    try:
        with transaction.atomic():
            change_role(request.user, member, request.POST.get("role", ""))
            role = member.get_role_display()
            audit.record(
                request,
                AuditEvent.Action.ROLE_CHANGED,
                email=member.email,
                role=f"{before} → {role}",
            )
    except MembershipRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{member.email} is now {role.lower()}.")
    return redirect("members")


@owner_post
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, accepted_at__isnull=True)
    with transaction.atomic():
        invitation.delete()
        audit.record(request, AuditEvent.Action.INVITATION_WITHDRAWN, email=invitation.email)
    messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return redirect("members")


@login_required
@require_safe
def media_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """An uploaded file of this workspace, to its members only: sessions are per workspace."""
    return media_response(name)


@owner_post
def request_data_export(request: HttpRequest) -> HttpResponse:
    audit.record(request, AuditEvent.Action.DATA_EXPORT)
    export_workspace_data.delay(request.user.pk)
    messages.success(
        request, "Your export has started: we will e-mail you a download link when it is ready."
    )
    return redirect("workspace_settings")


@login_required
@require_safe
def download_data_export(request: HttpRequest, token: str) -> HttpResponseBase:
    """The archive named by a link of this workspace, to its owners only."""
    owner_required(request)
    try:
        name = export_file_from_token(token, request.tenant)
    except InvalidToken as error:
        return link_refused(request, error)
    path = exported_file(request.tenant.schema_name, name)
    if path is None:
        raise Http404("This export is no longer kept: ask for a new one in the settings.")
    audit.record(request, AuditEvent.Action.DATA_EXPORT_DOWNLOADED, file=name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


def link_refused(request: HttpRequest, error: InvalidToken) -> HttpResponse:
    context = {"problem": str(error)}
    return render(request, "tenant_app/link_refused.html", context, status=400)


def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """The sign-up hand-over from www: log the new owner in here, once."""
    try:
        user_id = redeem_handover_token(token, request.tenant)
    except InvalidToken as error:
        return link_refused(request, error)
    login(request, get_object_or_404(get_user_model(), pk=user_id, is_active=True), BACKEND)
    messages.success(request, f"Welcome to {request.tenant.name}!")
    return redirect("dashboard")


def support_session(request: HttpRequest, token: str) -> HttpResponse:
    """An operator's support session, opened from the console on www (tenant_app/support.py)."""
    try:
        session = support.start_session(request, token)
    except InvalidToken as error:
        return link_refused(request, error)
    messages.warning(request, f"Support session until {session.until:%H:%M %Z}: {session.reason}")
    return redirect("dashboard")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation_id = invitation_id_from_token(token, request.tenant)
    except InvalidToken as error:
        return link_refused(request, error)
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        return link_refused(request, InvalidToken("This invitation was already used or withdrawn."))
    User = get_user_model()
    form = AcceptInvitationForm(User(email=invitation.email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
                accepted_at=timezone.now()
            )
            if not claimed:
                return link_refused(request, InvalidToken("This invitation was already used."))
            member = form.save()
            audit.record(
                request, AuditEvent.Action.MEMBER_JOINED, actor=member.email, via="invitation"
            )
            seats_changed(request.tenant)  # >>> include_billing <<<
        login(request, member, BACKEND)
        messages.success(request, f"Welcome to {request.tenant.name}!")
        return redirect("dashboard")
    context = {"form": form, "invitation": invitation}
    return render(request, "tenant_app/accept_invitation.html", context)

"""The workspace's settings: its name for every member to see; owners rename it, move it to
another sub-domain, delete it, and set its security and single sign-on.
# >>> include_api
Owners also manage the workspace's API keys here.
# <<< include_api
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import modelform_factory
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import (
    get_object_or_404,  # >>> include_api <<<
    redirect,
    render,
)
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from pgschemas import app_settings
from shared_app import lifecycle, renaming

from . import audit, sso, support
from .api.keys import create_key, revoke_key  # >>> include_api <<<
from .api.usage import recent_usage  # >>> include_api <<<
from .forms import (
    ApiKeyForm,  # >>> include_api <<<
    DeleteWorkspaceForm,
    RenameWorkspaceForm,
    SecurityForm,
)
from .models import (
    ApiKey,  # >>> include_api <<<
    AuditEvent,
    WorkspaceSecurity,
)
from .sso import SsoForm, identity_provider
from .tokens import make_handover_token
from .views import owner_post, owner_required

USAGE_DAYS = 7  # of API usage in the settings page  # >>> include_api <<<
AUDIT_PAGE = 50  # events a page of the audit log


def name_form_class(request: HttpRequest) -> type[forms.ModelForm]:
    # The tenant model (shared_app.Client) comes with the request: this app does not import it.
    return modelform_factory(
        type(request.tenant), fields=["name"], labels={"name": "Workspace name"}
    )


def settings_page(request: HttpRequest, status: int = 200, **shown: object) -> HttpResponse:
    """The settings page with its forms: those given in ``shown``, bound and with their errors,
    the others blank; ``shown`` may also hold more of the page's context."""
    app = identity_provider()
    context = {
        "form": name_form_class(request)(instance=request.tenant),
        "security_form": SecurityForm(instance=WorkspaceSecurity.load()),
        "sso_form": SsoForm(initial=SsoForm.initial_for(app, WorkspaceSecurity.load()), app=app),
        "rename_form": RenameWorkspaceForm(),
        "delete_form": DeleteWorkspaceForm(request.tenant.name),
        "key_form": ApiKeyForm(prefix="key"),  # >>> include_api <<<
        **shown,
        "domains": request.tenant.domains.order_by("-is_primary", "domain"),
        "retention_days": app_settings.deletion_retention_days(),
        # >>> include_api
        "api_keys": ApiKey.objects.select_related("created_by"),
        "api_usage": recent_usage(USAGE_DAYS),
        # <<< include_api
        "support_sessions": support.open_sessions(),
    }
    return render(request, "tenant_app/settings.html", context, status=status)


@login_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    form = name_form_class(request)(request.POST or None, instance=request.tenant)
    if request.method == "POST":
        owner_required(request)
        if form.is_valid():
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("workspace_settings")
    return settings_page(request, form=form)


@owner_post
def security_settings(request: HttpRequest) -> HttpResponse:
    form = SecurityForm(request.POST, instance=WorkspaceSecurity.load())
    if not form.is_valid():
        return settings_page(request, status=400, security_form=form)
    with transaction.atomic():
        form.save()
        audit.record(
            request,
            AuditEvent.Action.SECURITY_SETTINGS,
            **{str(form[name].label): form.cleaned_data[name] for name in form.changed_data},
        )
    messages.success(request, "Security settings saved.")
    return redirect("workspace_settings")


@owner_post
def sso_settings(request: HttpRequest) -> HttpResponse:
    form = SsoForm(request.POST, app=identity_provider())
    if not form.is_valid():
        return settings_page(request, status=400, sso_form=form)
    sso.configure(form, request)
    messages.success(request, "Single sign-on saved.")
    return redirect("workspace_settings")


@owner_post
def end_support_session(request: HttpRequest, event: int) -> HttpResponse:
    """An owner ends our staff's support session before its time (both audit logs)."""
    try:
        support.end_session(
            request.tenant,
            event,
            actor=audit.actor_of(request),
            reason="Ended by an owner in the workspace settings.",
            address=audit.client_address(request),
        )
    except support.SupportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The support session is ended.")
    return redirect("workspace_settings")


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """The workspace's audit log, newest first, filtered (what, who, days) and paged."""
    owner_required(request)
    form = audit.AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "tenant_app/audit_log.html", {"form": form}, status=400)
    page = Paginator(audit.filtered(form), AUDIT_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "tenant_app/audit_log.html", context)


@login_required
@require_safe
def export_audit_log(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered audit log as CSV, owners only; the export itself is recorded."""
    owner_required(request)
    form = audit.AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "tenant_app/audit_log.html", {"form": form}, status=400)
    audit.record(request, AuditEvent.Action.AUDIT_EXPORT, filters=request.GET.urlencode())
    events = audit.filtered(form).iterator(chunk_size=500)
    name = f"audit-{request.tenant.schema_name}-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        audit.csv_lines(events),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@owner_post
def rename_workspace(request: HttpRequest) -> HttpResponse:
    """The owner moves the workspace to a new sub-domain, and lands there logged in."""
    form = RenameWorkspaceForm(request.POST)
    if form.is_valid():
        by = f"owner {request.user.email}"
        try:
            renaming.rename(
                request.tenant,
                form.cleaned_data["subdomain"],
                by=by,
                reason="Renamed by its owner in the workspace settings.",
            )
        except lifecycle.ActionRefused as error:
            form.add_error("subdomain", str(error))
        else:
            token = make_handover_token(request.tenant, request.user.pk)
            return redirect(request.tenant.url(reverse("welcome", args=[token])))
    return settings_page(request, status=400, rename_form=form)


@owner_post
def delete_workspace(request: HttpRequest) -> HttpResponse:
    """The owner closes the workspace: it answers 410 at once, and is erased after the
    retention period unless an operator cancels the deletion."""
    form = DeleteWorkspaceForm(request.tenant.name, request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"] or "Deleted by its owner in the workspace settings."
        try:
            with transaction.atomic():
                done = lifecycle.delete(
                    request.tenant, by=f"owner {request.user.email}", reason=reason
                )
                audit.record(
                    request,
                    AuditEvent.Action.WORKSPACE_DELETION,
                    reason=reason,
                    purge_after=done.details["purge_after"],
                )
        except lifecycle.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("dashboard")  # now the page saying when the data will be erased
    return settings_page(request, status=400, delete_form=form)


# >>> include_api
@owner_post
def create_api_key(request: HttpRequest) -> HttpResponse:
    """Owners only. The new key is in this page alone (no redirect): it is never shown again."""
    key_form = ApiKeyForm(request.POST, prefix="key")
    if not key_form.is_valid():
        return settings_page(request, status=400, key_form=key_form)
    key_form.instance.created_by = request.user
    with transaction.atomic():
        full_key = create_key(request.tenant, key_form.instance)
        key = key_form.instance
        audit.record(request, AuditEvent.Action.API_KEY_CREATED, key=key.name, scope=key.scope)
    return settings_page(request, status=201, new_key=full_key, new_key_name=key_form.instance.name)


@owner_post
def revoke_api_key(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, revoked_at=None)
    with transaction.atomic():
        revoke_key(key)
        audit.record(request, AuditEvent.Action.API_KEY_REVOKED, key=key.name)
    messages.success(request, f"The API key {key.name} was revoked: it no longer opens the API.")
    return redirect("workspace_settings")


# <<< include_api

"""The operator console on www: every workspace with its state and figures, and the actions of
shared_app.lifecycle (each with a reason). Operators are www's staff users, logged in through
the operator admin's log-in page.

The list costs a fixed number of queries whatever the number of workspaces: one count, one page
of 50 (with its figures, shared_app.TenantStats) and one for their primary domains.
"""

from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from pgschemas.routing.gate import bypass_link_path
from pgschemas.states import Status
from shared_app.forms import ReasonForm
from shared_app.lifecycle import ACTIONS, Action, ActionRefused
from shared_app.models import Client, Domain
from shared_app.renaming import rename
from tenant_app.models import AuditEvent, WorkspaceSecurity
from tenant_app.support import SupportRefused, end_session, open_session, open_sessions

from .forms import EndSupportForm, RenameForm, SupportAccessForm

# >>> include_billing
# isort: split
from billing_app.seats import seats

# <<< include_billing
# >>> include_api
# isort: split
from .api_usage import daily_requests, top_workspaces

# <<< include_api
PAGE_SIZE = 50

operator_required: Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]] = (
    user_passes_test(
        lambda user: user.is_active and user.is_staff,
        login_url=reverse_lazy("operator_admin:login"),
    )
)
# Support access needs its own permission (users.User's Meta), besides being an operator.
SUPPORT_PERMISSION = "users.open_support_session"
READ_WRITE_SUPPORT_PERMISSION = "users.open_read_write_support_session"
support_required = permission_required(SUPPORT_PERMISSION, raise_exception=True)


def listed_tenants(query: str, status: str) -> QuerySet[Client]:
    tenants = Client.objects.select_related("stats").order_by("-pk")
    if status in Status.values:
        tenants = tenants.filter(status=status)
    if query:
        by_domain = Domain.objects.filter(domain__icontains=query).values("tenant_id")
        tenants = tenants.filter(
            Q(name__icontains=query) | Q(schema_name__icontains=query) | Q(pk__in=by_domain)
        )
    primary = Domain.objects.filter(is_primary=True)
    return tenants.prefetch_related(Prefetch("domains", primary, to_attr="primary_domains"))


@operator_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    page = Paginator(listed_tenants(query, status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "status": status, "statuses": Status.choices}
    return render(request, "main_app/console/list.html", context)


# >>> include_api
API_USAGE_PERIODS = (1, 7, 30)  # days the top list can sum


@operator_required
def api_usage(request: HttpRequest) -> HttpResponse:
    """The workspaces that use the API most, over the last 1, 7 or 30 days (``?days=``)."""
    asked = request.GET.get("days", "")
    days = int(asked) if asked in {str(period) for period in API_USAGE_PERIODS} else 7
    context = {"days": days, "periods": API_USAGE_PERIODS, "workspaces": top_workspaces(days)}
    return render(request, "main_app/console/api_usage.html", context)


# <<< include_api
@operator_required
def tenant_detail(request: HttpRequest, schema_name: str) -> HttpResponse:
    workspaces = Client.objects.select_related("stats", "plan")
    return detail_page(request, get_object_or_404(workspaces, schema_name=schema_name))


def detail_page(
    request: HttpRequest,
    tenant: Client,
    status: int = 200,
    failed: str = "",
    form: forms.Form | None = None,
) -> HttpResponse:
    """The workspace's page; ``failed`` names the action whose ``form`` is shown with errors."""
    actions = [action for action in ACTIONS.values() if action.applies_to(tenant)]
    context = {
        "workspace": tenant,  # "tenant" is the request's (www) in every template
        "domains": tenant.domains.order_by("-is_primary", "domain"),
        "actions": [
            (action, form if failed == action.name else action_form(action)) for action in actions
        ],
        "rename_form": form if failed == "rename" else RenameForm(prefix="rename"),
        "support_form": form if failed == "support" else SupportAccessForm(prefix="support"),
        "support_allowed": support_allowed(tenant),
        "support_sessions": support_sessions(tenant),
        "end_support_form": form if failed == "end_support" else EndSupportForm(prefix="end"),
        "records": tenant.actions.all()[:20],
        "bypass_url": (
            tenant.url(bypass_link_path(tenant)) if tenant.status == Status.MAINTENANCE else ""
        ),
    }
    # >>> include_billing
    context["seats"] = seats(tenant)
    # <<< include_billing
    # >>> include_api
    context["api_usage"] = daily_requests(tenant)
    # <<< include_api
    return render(request, "main_app/console/detail.html", context, status=status)


def action_form(action: Action, data: QueryDict | None = None) -> forms.Form:
    """The action's form (its reason, and what else it asks), one per action on the page."""
    return (action.form or ReasonForm)(data, prefix=action.name)


@operator_required
@require_POST
def run_action(request: HttpRequest, schema_name: str, name: str) -> HttpResponse:
    tenant = get_object_or_404(Client, schema_name=schema_name)
    action = ACTIONS.get(name)
    if action is None:
        return detail_page(request, tenant, status=404)
    form = action_form(action, request.POST)
    if not form.is_valid():
        return detail_page(request, tenant, status=400, failed=name, form=form)
    try:
        action.run(tenant, by=request.user.email, **form.cleaned_data)
    except ActionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{action.label}: done for {tenant.name} (recorded).")
    return redirect("console_tenant", schema_name=schema_name)


@operator_required
@require_POST
def rename_tenant(request: HttpRequest, schema_name: str) -> HttpResponse:
    tenant = get_object_or_404(Client, schema_name=schema_name)
    form = RenameForm(request.POST, prefix="rename")
    if form.is_valid():
        data = form.cleaned_data
        try:
            rename(tenant, data["subdomain"], by=request.user.email, reason=data["reason"])
        except ActionRefused as error:
            form.add_error("subdomain", str(error))
        else:
            messages.success(request, f"{tenant.name} is now served at {tenant.primary_domain}.")
            return redirect("console_tenant", schema_name=schema_name)
    return detail_page(request, tenant, status=400, failed="rename", form=form)


def support_allowed(tenant: Client) -> bool:
    with tenant:
        return WorkspaceSecurity.load().allow_support_access


def support_sessions(tenant: Client) -> list[AuditEvent]:
    if tenant.status != Status.ACTIVE:
        return []
    with tenant:
        return open_sessions()


@operator_required
@support_required
@require_POST
def open_support_session(request: HttpRequest, schema_name: str) -> HttpResponse:
    """Record the support access, then send the operator in through its single-use link.
    Read-only unless "Read-write" is ticked, which needs its own permission."""
    tenant = get_object_or_404(Client, schema_name=schema_name)
    form = SupportAccessForm(request.POST, prefix="support")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["read_write"] and not request.user.has_perm(READ_WRITE_SUPPORT_PERMISSION):
                raise SupportRefused("You may open read-only support sessions only.")
            path = open_session(
                tenant,
                member_email=data["member_email"],
                operator=request.user.email,
                reason=data["reason"],
                duration=timedelta(minutes=data["minutes"]),
                read_write=data["read_write"],
            )
        except SupportRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(tenant.url(path))
    return detail_page(request, tenant, status=400, failed="support", form=form)


@operator_required
@support_required
@require_POST
def end_support_session(request: HttpRequest, schema_name: str, event: int) -> HttpResponse:
    """End a support session before its time (recorded in both audit logs)."""
    tenant = get_object_or_404(Client, schema_name=schema_name)
    form = EndSupportForm(request.POST, prefix="end")
    if not form.is_valid():
        return detail_page(request, tenant, status=400, failed="end_support", form=form)
    try:
        reason = form.cleaned_data["reason"]
        end_session(tenant, event, actor=f"Support: {request.user.email}", reason=reason)
    except SupportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The support session in {tenant.name} is ended.")
    return redirect("console_tenant", schema_name=schema_name)

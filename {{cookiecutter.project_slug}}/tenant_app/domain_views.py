"""The workspace's custom domains (owners): add one, see the DNS records to publish, check it
now, make it primary, remove it. The rules live in shared_app.custom_domains."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shared_app import custom_domains
from shared_app.models import CustomDomain

from .forms import CustomDomainForm
from .views import owner_post, owner_required

TOO_MANY_CHECKS = "This workspace has checked its domains often lately: please try again later."


def domains_page(
    request: HttpRequest, status: int = 200, form: CustomDomainForm | None = None
) -> HttpResponse:
    context = {
        "form": form or CustomDomainForm(),
        "custom_domains": CustomDomain.objects.filter(tenant_id=request.tenant.pk),
        "subdomain_primary": not request.tenant.domains.filter(
            redirect_until=custom_domains.PERMANENT
        ).exists(),
        "txt_prefix": settings.CUSTOM_DOMAIN_TXT_PREFIX,
        "target": settings.CUSTOM_DOMAIN_TARGET,
        "pending_days": custom_domains.PENDING_DAYS,
    }
    return render(request, "tenant_app/domains.html", context, status=status)


def own_domain(request: HttpRequest, pk: int) -> CustomDomain:
    return get_object_or_404(CustomDomain, pk=pk, tenant_id=request.tenant.pk)


@login_required
def custom_domain_list(request: HttpRequest) -> HttpResponse:
    owner_required(request)
    if request.method != "POST":
        return domains_page(request)
    form = CustomDomainForm(request.POST)
    if form.is_valid():
        try:
            custom = custom_domains.add(request.tenant, form.cleaned_data["domain"])
        except custom_domains.DomainRefused as error:
            form.add_error("domain", str(error))
        else:
            messages.success(request, f"{custom.domain} added: publish its DNS records below.")
            return redirect("custom_domains")
    return domains_page(request, status=400, form=form)


@owner_post
def check_custom_domain(request: HttpRequest, pk: int) -> HttpResponse:
    custom = own_domain(request, pk)
    if not ratelimit.consume(request, action="custom_domain_check", key=request.tenant.schema_name):
        messages.error(request, TOO_MANY_CHECKS)
        return redirect("custom_domains")
    outcome = custom_domains.check(custom)
    if outcome.found:
        messages.success(request, f"{custom.domain} is verified.")
    else:
        messages.error(request, f"{custom.domain} is not verified: {custom.last_error}")
    return redirect("custom_domains")


@owner_post
def make_custom_domain_primary(request: HttpRequest, pk: int) -> HttpResponse:
    custom = own_domain(request, pk)
    try:
        custom_domains.make_primary(custom)
    except custom_domains.DomainRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{custom.domain} is now the workspace's primary domain.")
    return redirect("custom_domains")


@owner_post
def make_subdomain_primary(request: HttpRequest) -> HttpResponse:
    try:
        custom_domains.make_subdomain_primary(request.tenant)
    except custom_domains.DomainRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The workspace's sub-domain is its primary domain again.")
    return redirect("custom_domains")


@owner_post
def remove_custom_domain(request: HttpRequest, pk: int) -> HttpResponse:
    custom = own_domain(request, pk)
    custom_domains.remove(custom)
    messages.success(
        request, f"{custom.domain} was removed: the workspace is no longer served there."
    )
    return redirect("custom_domains")

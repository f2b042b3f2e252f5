"""The workspace's billing page: its plan, what it uses of each limit, the catalogue; for
owners, Upgrade (Stripe Checkout) and Manage billing (Stripe's Customer Portal). A workspace
suspended for not paying serves these pages to its owners only (billing_app.gate)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from billing_app import stripe_api
from pgschemas.states import Status
from shared_app.models import Plan

from .limits import usage
from .views import owner_post, owner_required


@login_required
@require_safe
def billing(request: HttpRequest) -> HttpResponse:
    if request.tenant.status == Status.SUSPENDED:
        owner_required(request)  # the only page of a workspace suspended for not paying
    if request.GET.get("checkout") == "done":
        messages.success(request, "Thank you! Your plan changes as soon as Stripe confirms it.")
    context = {
        "plan": request.tenant.plan,
        "usage": usage(request.tenant),
        "plans": Plan.objects.all(),
        "payments_on": stripe_api.enabled(),
    }
    return render(request, "tenant_app/billing.html", context)


def back_to_billing(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("billing"))


@owner_post
def upgrade(request: HttpRequest) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=request.POST.get("plan", ""), is_free=False)
    interval = "year" if request.POST.get("interval") == "year" else "month"
    seats = get_user_model().objects.filter(is_active=True).count()
    try:
        url = stripe_api.checkout_url(
            request.tenant,
            email=request.user.email,
            plan=plan,
            interval=interval,
            seats=seats,
            back_to=back_to_billing(request),
        )
    except stripe_api.BillingUnavailable as error:
        messages.error(request, str(error))
        return redirect("billing")
    return redirect(url)


@owner_post
def manage_billing(request: HttpRequest) -> HttpResponse:
    try:
        url = stripe_api.portal_url(
            request.tenant, email=request.user.email, back_to=back_to_billing(request)
        )
    except stripe_api.BillingUnavailable as error:
        messages.error(request, str(error))
        return redirect("billing")
    return redirect(url)

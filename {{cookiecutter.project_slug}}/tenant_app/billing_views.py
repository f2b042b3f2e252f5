"""The workspace's billing page: its plan, what it uses of each limit, and the catalogue."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shared_app.models import Plan

from .limits import usage


@login_required
@require_safe
def billing(request: HttpRequest) -> HttpResponse:
    context = {
        "plan": request.tenant.plan,
        "usage": usage(request.tenant),
        "plans": Plan.objects.all(),
    }
    return render(request, "tenant_app/billing.html", context)

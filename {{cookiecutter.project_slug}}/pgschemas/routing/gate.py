"""A tenant that is not active, or a tenant's former domain, is answered here, before any of its
code runs.

The middleware calls ``refusal(request, route)`` after routing. The state comes with the route's
tenant (the host map's entry): no query. Suspended: 403, except the requests that
``PGSCHEMAS_SUSPENDED_SERVES`` lets through (the project: owners reaching billing); maintenance:
503 with ``Retry-After``, except for a holder of a maintenance bypass; pending deletion: 410.
The pages are templates the project owns (``pgschemas/<status>.html``), rendered without the
request: no session, no user, nothing of the tenant but its host and dates. Every path of the host
answers with the page, its stylesheet too, so its style is inline: the page's own
Content-Security-Policy allows exactly that style (by its hash) and nothing else. A former domain
(``Route.moved_to``, a renamed tenant's old host) answers 301 to the same path on the new one.

The maintenance bypass is a signed link (``bypass_link_path``) that sets a cookie on the
tenant's host. Both name the tenant's schema and the moment its maintenance began, and expire:
a link for one workspace, or from an earlier maintenance, opens nothing.
"""

import base64
import hashlib
import re
import time
from datetime import datetime

from django.core import signing
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from .. import app_settings
from ..schema import Schema
from ..states import Status
from .resolvers import Route

BYPASS_PATH = "/_maintenance-bypass/"
BYPASS_COOKIE = "pgschemas_bypass"
BYPASS_SALT = "pgschemas.maintenance_bypass"
REFUSED_WITH = {Status.SUSPENDED: 403, Status.MAINTENANCE: 503, Status.PENDING_DELETION: 410}
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def refusal(request: HttpRequest, route: Route) -> HttpResponse | None:
    """The response for a former domain or a tenant that is not active, or None to serve the
    request."""
    if route.moved_to is not None:
        return moved(request, route.moved_to)
    tenant = route.schema
    if tenant.status not in REFUSED_WITH:
        return None
    if tenant.status == Status.SUSPENDED and still_served(request, tenant):
        return None
    if tenant.status == Status.MAINTENANCE:
        if request.path == BYPASS_PATH:
            return redeem_bypass(request, tenant)
        if bypass_valid(request.COOKIES.get(BYPASS_COOKIE, ""), tenant):
            return None
    return status_page(request, tenant)


def still_served(request: HttpRequest, tenant: Schema) -> bool:
    """Whether ``PGSCHEMAS_SUSPENDED_SERVES`` lets this request to a suspended tenant through."""
    path = app_settings.suspended_serves()
    return bool(path) and bool(import_string(path)(request, tenant))


def moved(request: HttpRequest, host: str) -> HttpResponse:
    """301 to the same path and query on the host that now serves the tenant (the port of the
    Host header kept)."""
    port = split_domain_port(request.get_host())[1]
    netloc = f"{host}:{port}" if port else host
    return HttpResponsePermanentRedirect(f"{request.scheme}://{netloc}{request.get_full_path()}")


def status_page(request: HttpRequest, tenant: Schema) -> HttpResponse:
    status = tenant.status
    context = {
        "host": request.get_host(),
        "contact": app_settings.status_contact(),
        "purge_after": getattr(tenant, "purge_after", None),
        "retry_after": app_settings.maintenance_retry_after(),
    }
    body = render_to_string(f"pgschemas/{status}.html", context)
    response = HttpResponse(body, status=REFUSED_WITH[Status(status)])
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = status_page_policy(body)
    if status == Status.MAINTENANCE:
        response["Retry-After"] = str(app_settings.maintenance_retry_after())
    return response


def status_page_policy(body: str) -> str:
    """A policy that allows the page's own ``<style>`` elements, by hash, and nothing else."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in STYLE_ELEMENT.findall(body)
    ]
    styles = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


def _maintenance_started(tenant: Schema) -> str:
    changed: datetime | None = getattr(tenant, "status_changed_at", None)
    return changed.isoformat() if changed else ""


def make_bypass_token(tenant: Schema, valid_for: int | None = None) -> str:
    """A token that lets its holder through ``tenant``'s current maintenance, for ``valid_for``
    seconds (``PGSCHEMAS_MAINTENANCE_BYPASS_SECONDS`` by default)."""
    seconds = app_settings.maintenance_bypass_seconds() if valid_for is None else valid_for
    payload = {
        "schema": tenant.schema_name,
        "since": _maintenance_started(tenant),
        "until": int(time.time()) + seconds,
    }
    return signing.dumps(payload, salt=BYPASS_SALT)


def bypass_link_path(tenant: Schema, valid_for: int | None = None) -> str:
    """The path, on any of ``tenant``'s domains, that hands its visitor the bypass cookie."""
    return f"{BYPASS_PATH}?token={make_bypass_token(tenant, valid_for)}"


def _bypass_until(token: str, tenant: Schema) -> int | None:
    try:
        payload = signing.loads(token, salt=BYPASS_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    until = payload.get("until")
    if (
        payload.get("schema") != tenant.schema_name
        or payload.get("since") != _maintenance_started(tenant)
        or not isinstance(until, int)
        or until <= time.time()
    ):
        return None
    return until


def bypass_valid(token: str, tenant: Schema) -> bool:
    return bool(token) and _bypass_until(token, tenant) is not None


def redeem_bypass(request: HttpRequest, tenant: Schema) -> HttpResponse:
    token = request.GET.get("token", "")
    until = _bypass_until(token, tenant)
    if until is None:
        return status_page(request, tenant)
    response = HttpResponseRedirect("/")
    response.set_cookie(
        BYPASS_COOKIE,
        token,
        max_age=max(int(until - time.time()), 1),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    response["Cache-Control"] = "no-store"
    return response

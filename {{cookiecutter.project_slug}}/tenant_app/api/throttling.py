"""Rate limits of the API: per key (or member using it with their session), per workspace, per
day as the workspace's plan allows, and per client address for requests that bring no valid
credentials.

Each limit is a counter per fixed window in the cache (Redis in production: an atomic INCR),
under a name that carries the workspace's schema. The rates are DRF's
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``"120/m"``: 120 a minute; s, m, h or d), read at
each request; the day's limit is the plan's (``Plan.max_api_requests_per_day``), which the host
map loaded with the tenant.
"""

import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.http import HttpRequest
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from pgschemas.schema import PUBLIC_SCHEMA
from shared_app.plans import limit_message, limit_of

from ..models import ApiKey
from .counters import increment

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DAY = PERIODS["d"]  # windows start at the epoch: a day's is the UTC day
# What a workspace over its requests a day can do, besides waiting for the next day.
# >>> include_billing
MORE_A_DAY = "Upgrade for more"  # on its billing page
# <<< include_billing
# >>> not include_billing
MORE_A_DAY = "Contact us for a larger plan"  # the operator assigns plans
# <<< not include_billing


@dataclass(frozen=True)
class Window:
    """A counter's state after this request: ``used`` of ``limit`` until ``resets_at``."""

    limit: int
    used: int
    resets_at: int  # seconds since the epoch

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def wait(self) -> float:
        return max(self.resets_at - time.time(), 1.0)


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/m"`` -> (120, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period[:1]]


def count(scope: str, ident: str) -> Window:
    """Count one request against the ``scope`` rate of ``ident``."""
    return count_in_window(scope, ident, *parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope]))


def count_in_window(scope: str, ident: str, limit: int, seconds: int) -> Window:
    window = int(time.time()) // seconds
    used = increment(f"api-rate:{scope}:{ident}:{window}", timeout=seconds + 1)
    return Window(limit=limit, used=used, resets_at=(window + 1) * seconds)


def count_anonymous(request: HttpRequest) -> Window:
    """Requests without valid credentials, per client address (as allauth finds it: see
    ``ALLAUTH_TRUSTED_PROXY_COUNT``), on all hosts together: counted under the public schema's
    name, which the cache's keys carry (pgschemas.contrib.cache.make_key)."""
    with PUBLIC_SCHEMA:
        return count("anonymous", get_adapter(request).get_client_ip(request))


class KeyThrottle(BaseThrottle):
    """Per key, or per member for session requests; its window is the X-RateLimit-* headers."""

    scope = "api_key"

    def allow_request(self, request: Request, view: object) -> bool:
        workspace = request._request.tenant.schema_name
        if isinstance(request.auth, ApiKey):
            ident = request.auth.prefix
        elif request.user.is_authenticated:
            ident = f"{workspace}.member.{request.user.pk}"
        else:
            return True
        self.window = count(self.scope, ident)
        request._request.rate_limit = self.window
        return self.window.allowed

    def wait(self) -> float:
        return self.window.wait()


class WorkspaceThrottle(BaseThrottle):
    """All keys and members of a workspace together."""

    scope = "workspace"

    def allow_request(self, request: Request, view: object) -> bool:
        if not request.user.is_authenticated:
            return True
        self.window = count(self.scope, request._request.tenant.schema_name)
        return self.window.allowed

    def wait(self) -> float:
        return self.window.wait()


class PlanDayThrottle(BaseThrottle):
    """All keys and members of a workspace together, per day (UTC), as its plan allows: empty
    (or no plan) is unlimited, 0 none. Listed last: over the limit it refuses with its own
    message, naming the plan, and waits until the day ends."""

    scope = "plan_day"

    def allow_request(self, request: Request, view: object) -> bool:
        tenant = request._request.tenant
        limit = limit_of(tenant, "api_requests")
        if limit is None or not request.user.is_authenticated:
            return True
        window = count_in_window(self.scope, tenant.schema_name, limit, DAY)
        request._request.day_limit = window
        if not window.allowed:
            message = f"{limit_message(tenant, 'api_requests')} {MORE_A_DAY}, or wait until"
            raise Throttled(window.wait(), f"{message} the day ends (UTC).", "daily_limit")
        return True

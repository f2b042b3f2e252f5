"""Plain Django's stand-in for the tenant of a request: the page's header names the workspace and
links to its dashboard on both sides (a single-schema SaaS would show its customer's name too)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Plan:
    """The plan the benchmark's tenants start on (the default catalogue's trial plan, Pro): the
    API counts each request against its daily limit on both sides."""

    name: str = "Pro"
    max_api_requests_per_day: int | None = 100_000


@dataclass(frozen=True)
class Workspace:
    name: str = "t_1"  # as createtenants names the first tenant that requests go to
    schema_name: str = "t_1"
    is_dynamic: bool = True
    plan: Plan = Plan()


WORKSPACE = Workspace()


def workspace_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        request.tenant = WORKSPACE  # type: ignore[attr-defined]
        return get_response(request)

    return middleware

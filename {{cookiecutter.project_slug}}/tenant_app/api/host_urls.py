"""The URLconf of the API host (routing.py): the API alone, no pages, no docs page; its errors
outside the API's views in the API's error body too."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from .errors import error_body
from .urls import api_patterns

urlpatterns = [path("api/v1/", include((api_patterns, "api")))]


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(500, "server_error", "Server error."), status=500)


handler404 = not_found
handler500 = server_error

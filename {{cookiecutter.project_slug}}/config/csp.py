"""The Content-Security-Policy header, on every response that has none of its own.

Django 6 has a CSP middleware of its own; Django 5.2, which the project supports too, has none.
The media view (pgschemas/contrib/media.py) sets a stricter policy of its own, which is kept.
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.deprecation import MiddlewareMixin


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response

"""Absolute links to a workspace, for e-mails and for redirects from www."""

from django.conf import settings


def workspace_url(domain: str, path: str = "/") -> str:
    """``path`` on ``domain`` with the configured scheme and port
    (``ACCOUNT_DEFAULT_HTTP_PROTOCOL``, ``WORKSPACE_URL_PORT``), never those of the request at
    hand: its Host header, port included, is whatever the client sent."""
    port = settings.WORKSPACE_URL_PORT
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}{f':{port}' if port else ''}{path}"

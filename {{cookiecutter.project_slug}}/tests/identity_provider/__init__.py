"""The tests' OpenID Connect identity provider: a separate, tiny Django project running
django-oauth-toolkit with OpenID Connect enabled (an identity provider a company would run).

``python -m tests.identity_provider CONFIG.json`` (with ``DJANGO_SETTINGS_MODULE=
tests.identity_provider.settings`` and ``IDENTITY_PROVIDER_DATABASE`` naming a new SQLite file)
creates its tables, the users and the applications (clients) of CONFIG, listens on a free
loopback port and prints its issuer URL on the first line. CONFIG: ``{"clients": {client_id:
{"secret": ..., "redirect_uris": [...]}}, "users": {email: {"email_verified": bool}}}``.
Started and stopped by ``tests.processes.oidc_provider``.
"""

VERIFIED = "email_verified"  # the group of the users whose address the provider has verified

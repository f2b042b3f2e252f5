"""Settings of the tests' identity provider (see __init__.py): django-oauth-toolkit with
OpenID Connect, RS256 ID tokens signed with a key generated for this run, PKCE required,
its own SQLite database."""

import os
import secrets

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

SECRET_KEY = secrets.token_urlsafe(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.identity_provider.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
# The tables are made from the models at start (a new database each run): no migrations to run.
MIGRATION_MODULES = {"auth": None, "contenttypes": None, "oauth2_provider": None}
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["IDENTITY_PROVIDER_DATABASE"],
    }
}
# Client secrets are stored hashed; a fast hasher, as in the project's test settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MIDDLEWARE = ["tests.identity_provider.provider.LoggedInByCookie"]
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": SIGNING_KEY.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    ).decode(),
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail address"},
    "OAUTH2_VALIDATOR_CLASS": "tests.identity_provider.provider.Validator",
}

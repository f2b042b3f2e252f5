"""django-oauth-toolkit at the root: the issuer is the server's origin, discovery at
/.well-known/openid-configuration, then /authorize/, /token/, /userinfo/ and
/.well-known/jwks.json."""

from django.urls import include, path

urlpatterns = [path("", include("oauth2_provider.urls"))]

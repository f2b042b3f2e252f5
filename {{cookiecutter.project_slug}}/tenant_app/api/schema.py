"""What drf-spectacular cannot guess: how API keys authenticate (imported by the API's URLconf)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenant_app.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key of this workspace, made by an owner in its settings: "
            "`Authorization: Bearer <key>`. Read keys may only read.",
        }

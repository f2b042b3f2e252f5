"""Billing's configuration, checked at start-up."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, register


@register()
def stripe_configured(**kwargs: Any) -> list[CheckMessage]:
    if not settings.STRIPE_SECRET_KEY:
        if not settings.DEBUG:
            return []
        return [
            Info(
                "Billing is off: STRIPE_SECRET_KEY is not set, so workspaces stay on the plan "
                "the operator assigns.",
                hint="See docs/billing.md to set up Stripe.",
                id="billing_app.I001",
            )
        ]
    if not settings.STRIPE_WEBHOOK_SECRET:
        return [
            Error(
                "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: Stripe's events "
                "would all be refused, and no subscription would reach the workspaces.",
                hint="Copy the signing secret of the webhook endpoint (docs/billing.md).",
                id="billing_app.E001",
            )
        ]
    return []

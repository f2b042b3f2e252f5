"""What billing keeps in public beside the Client's billing fields."""

from django.db import models


class StripeEvent(models.Model):
    """A Stripe event handled once: its id is recorded with the change it made, in the same
    transaction, so a replay (Stripe retries, or an attacker with an old signed body) is a
    no-op."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    customer = models.CharField(max_length=255, blank=True)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-handled_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

"""billing_app's URLs on www (main_app.urls includes them under billing/)."""

from django.urls import path

from .views import stripe_webhook

urlpatterns = [
    path("webhook/", stripe_webhook, name="stripe_webhook"),
]

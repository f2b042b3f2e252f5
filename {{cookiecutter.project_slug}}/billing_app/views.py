from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .webhooks import BadWebhook, TryLater, handle


@csrf_exempt  # Stripe signs the body instead
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events (www ``/billing/webhook/``): 400 unless signed, 200 once handled, 503
    when Stripe must send it again."""
    try:
        outcome = handle(request.body, request.headers.get("Stripe-Signature", ""))
    except BadWebhook as error:
        return JsonResponse({"error": str(error)}, status=400)
    except TryLater as error:
        return JsonResponse({"error": str(error)}, status=503)
    return JsonResponse({"outcome": outcome})

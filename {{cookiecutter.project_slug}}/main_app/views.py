from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared_app.models import Client


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "main_app/home.html", {"customer_count": Client.objects.count()})

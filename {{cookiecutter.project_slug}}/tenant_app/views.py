from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Project


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenant_app/home.html", {"projects": Project.objects.all()[:20]})

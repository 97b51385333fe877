from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html")


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "pages/home.html")

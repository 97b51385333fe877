"""The decision dossier pages (funding/dossier.py): the chain of one item, and its PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from applications.models import Application
from core.errors import StateConflict
from funding.dossier import application_dossier, dossier_pdf, dossier_reader


def _dossier(request: HttpRequest, pk: int) -> tuple[Application, dict] | HttpResponse:
    application = Application.objects.filter(pk=pk).select_related("call").first()
    if application is None:
        raise Http404
    try:
        reader = dossier_reader(request.user, application)  # NotVisible is a 404
    except StateConflict as exc:
        return render(request, "pages/dossier_closed.html", {"application": application, "reason": exc}, status=409)
    return application, application_dossier(application=application, reader=reader)


def application_dossier_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = _dossier(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, dossier = found
    return render(request, "pages/dossier.html", {"application": application, "d": dossier})


def application_dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _dossier(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, dossier = found
    response = HttpResponse(dossier_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dossier-{application.pk}.pdf"'
    return response

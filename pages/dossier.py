"""The decision dossier pages (funding/dossier.py): the chain of one item, and its PDF; and the
experts' feedback to the applicant as a PDF (funding/feedback.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from applications.models import Application
from core.errors import StateConflict
from funding.dossier import application_dossier, dossier_pdf, dossier_reader
from funding.feedback import application_feedback, feedback_pdf


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


def application_feedback_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The experts' feedback on the applicant's own item (404 for others, 409 before the notice
    has closed)."""
    application = Application.objects.filter(pk=pk).select_related("call").first()
    if application is None:
        raise Http404
    try:
        feedback = application_feedback(application=application, user=request.user)  # NotVisible is a 404
    except StateConflict as exc:
        context = {"application": application, "reason": exc, "heading": _("Experts' feedback")}
        return render(request, "pages/dossier_closed.html", context, status=409)
    response = HttpResponse(feedback_pdf(feedback), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="feedback-{application.pk}.pdf"'
    return response

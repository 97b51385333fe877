"""The acceptance's pages (验收): the applicant's file (results per target, accounts per line,
the audit report), and staff's page to check it, draw the experts and decide against the
advice. The experts score on their review page (``pages.views.review_detail``) against the
acceptance criteria.

The forms only collect input; ``workflow.steps.acceptance_*`` decide (``aftergrant.acceptance``),
and their errors come back on the fields they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.rules import is_staff
from aftergrant.acceptance import acceptance_latest, acceptance_rectified, acceptance_scoring_done
from aftergrant.midterm import version_in_force
from applications import services as app_services
from applications.enums import AcceptanceDocument
from applications.models import Application
from funding.enums import AcceptanceCheckDecision
from workflow import steps

from .forms import AcceptanceDecisionForm, StepForm, TargetsAndAccountsForm, TextField
from .selectors import open_step_names
from .views import _application_for, perform

# --- forms ------------------------------------------------------------------------------------


class AcceptanceFileForm(TargetsAndAccountsForm):
    """Achieved per target, the final accounts per budget line by source, and the final report."""

    report = TextField(label=gettext_lazy("Final report"), widget=forms.Textarea(attrs={"rows": 8}), max_length=100000)

    def step_data(self) -> dict[str, Any]:
        return {"report": self.cleaned_data["report"], "results": self.achieved(), "accounts": self.money_by_line()}


class AcceptanceDocumentForm(StepForm):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=AcceptanceDocument.choices)
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("PDF, Word, Excel, PowerPoint or an image (PNG, JPEG).")
    )

    def step_data(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"], "kind": self.cleaned_data["kind"]}


class AcceptanceCheckForm(StepForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=AcceptanceCheckDecision.choices, widget=forms.RadioSelect
    )
    comment = TextField(
        label=gettext_lazy("Comment to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when returning: say what is missing."),
        max_length=5000,
    )


class AcceptanceDrawForm(StepForm):
    seed = forms.CharField(
        label=gettext_lazy("Seed"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Leave empty for a random seed; the draw records it."),
    )


# --- pages ------------------------------------------------------------------------------------


def _file_url(application: Application) -> str:
    return reverse("acceptance-file", args=[application.pk])


def _check_url(application: Application) -> str:
    return reverse("acceptance-check", args=[application.pk])


def _own(request: HttpRequest, pk: int) -> Application:
    application = _application_for(request.user, pk)
    if application.applicant_id != request.user.pk:
        raise Http404
    return application


def acceptance_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant files the acceptance: the form while it is owed, the documents, and the
    files so far."""
    application = _own(request, pk)
    form = AcceptanceFileForm(request.POST or None, version=version_in_force(application))
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.acceptance_submit(application=application, actor=request.user, **data),
            success=_("Acceptance file submitted. The bureau will check it."),
            then=reverse("application-detail", args=[application.pk]),
        )
        if response:
            return response
    return _file_page(request, application, form=form)


def _file_page(
    request: HttpRequest,
    application: Application,
    *,
    form: AcceptanceFileForm | None = None,
    document_form: AcceptanceDocumentForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "aftergrant/acceptance_file.html",
        {
            "application": application,
            "form": form or AcceptanceFileForm(version=version_in_force(application)),
            "open_now": "acceptance" in open_step_names(application),
            "documents": application.attachments.filter(kind__in=AcceptanceDocument.values),
            "document_form": document_form or AcceptanceDocumentForm(),
        },
    )


@require_POST
def acceptance_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant attaches a document of the acceptance file (the audit report)."""
    application = _own(request, pk)
    form = AcceptanceDocumentForm(request.POST, request.FILES)
    response = perform(
        request,
        form,
        lambda **data: app_services.attachment_add(application=application, actor=request.user, **data),
        success=_("Attachment uploaded."),
        then=_file_url(application),
    )
    return response or _file_page(request, application, document_form=form)


def _staff_application(request: HttpRequest, pk: int) -> Application:
    if not is_staff(request.user):
        raise Http404
    return _application_for(request.user, pk)


def acceptance_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's acceptance page: check the file, draw the experts, decide against the advice."""
    application = _staff_application(request, pk)
    check_form = AcceptanceCheckForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            check_form,
            lambda **data: steps.acceptance_check(application=application, actor=request.user, **data),
            success=_("Acceptance check recorded."),
            then=_check_url(application),
        )
        if response:
            return response
    return _check_page(request, application, check_form=check_form)


def _check_page(request: HttpRequest, application: Application, **bound: Any) -> HttpResponse:
    open_steps = open_step_names(application)
    final = acceptance_rectified(application)
    # The decision is refused (409) until the experts are done, except on a rectified file.
    deciding = "acceptance_review" in open_steps
    scoring = deciding and not final and not acceptance_scoring_done(application)
    return render(
        request,
        "aftergrant/acceptance_check.html",
        {
            "application": application,
            "latest": acceptance_latest(application),
            "final": final,
            "scoring": scoring,
            "check_form": bound.get("check_form") if "acceptance_check" in open_steps else None,
            "draw_form": (bound.get("draw_form") or AcceptanceDrawForm())
            if "acceptance_experts" in open_steps
            else None,
            "decision_form": (bound.get("decision_form") or AcceptanceDecisionForm())
            if deciding and not scoring
            else None,
        },
    )


@require_POST
def acceptance_draw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _staff_application(request, pk)
    form = AcceptanceDrawForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.acceptance_draw(application=application, actor=request.user, **data),
        success=_("Acceptance experts drawn; they are invited."),
        then=_check_url(application),
    )
    return response or _check_page(request, application, draw_form=form)


@require_POST
def acceptance_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _staff_application(request, pk)
    form = AcceptanceDecisionForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.acceptance_decide(application=application, actor=request.user, **data),
        success=_("Acceptance decision recorded."),
        then=reverse("application-detail", args=[application.pk]),
        back=_check_url(application),
    )
    return response or _check_page(request, application, decision_form=form)

"""The mid-term check's pages: the applicant's report, staff's check, the overdue list.

The forms only collect input; ``workflow.steps.midterm_submit`` / ``midterm_decide`` decide
(``aftergrant.midterm``), and their errors come back on the fields they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from accounts.rules import is_staff
from aftergrant.enums import MidtermResult
from aftergrant.midterm import midterm_can_report, midterm_overdue, midterm_pending, version_in_force
from aftergrant.models import MidtermReport
from applications.models import Application
from core.responses import xlsx_response
from core.xlsx import append, sheet_title, workbook_bytes
from workflow import steps

from .forms import DateField, StepForm, TargetsAndAccountsForm, TextField
from .selectors import open_step_names
from .views import _application_for, perform

# --- forms ------------------------------------------------------------------------------------


class MidtermReportForm(TargetsAndAccountsForm):
    """Progress per target, spending per budget line by source, and the problems met."""

    problems = TextField(
        label=gettext_lazy("Problems met and how they are dealt with"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )

    def step_data(self) -> dict[str, Any]:
        return {"progress": self.achieved(), "spent": self.money_by_line(), "problems": self.cleaned_data["problems"]}


class MidtermDecisionForm(StepForm):
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=MidtermResult.choices, widget=forms.RadioSelect)
    comment = TextField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the check is conditional or fails."),
    )
    fix_by = DateField(
        label=gettext_lazy("Fix by"),
        required=False,
        help_text=gettext_lazy("For a conditional result: the day by which the applicant reports again."),
    )


# --- pages ------------------------------------------------------------------------------------


def _detail(application: Application) -> str:
    return reverse("application-detail", args=[application.pk])


def midterm_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's mid-term report: the form while one is owed and open, else why not."""
    application = _application_for(request.user, pk)
    if application.applicant_id != request.user.pk:
        raise Http404
    report = midterm_pending(application)
    version = version_in_force(application)
    form = MidtermReportForm(request.POST or None, version=version)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.midterm_submit(application=application, actor=request.user, **data),
            success=_("Mid-term report submitted. The bureau will check it."),
            then=_detail(application),
        )
        if response:
            return response
    reportable = report is not None and midterm_can_report(report) and "midterm_report" in open_step_names(application)
    return render(
        request,
        "aftergrant/midterm_report.html",
        {"application": application, "report": report, "form": form, "reportable": reportable},
    )


def midterm_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff read the submitted report against the contract and record the result."""
    if not is_staff(request.user):
        raise Http404
    application = _application_for(request.user, pk)
    form = MidtermDecisionForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.midterm_decide(application=application, actor=request.user, **data),
            success=_("Mid-term check recorded."),
            then=_detail(application),
        )
        if response:
            return response
    report = midterm_pending(application)
    waiting = report is not None and report.status == "submitted"
    return render(
        request,
        "aftergrant/midterm_check.html",
        {"application": application, "report": report, "form": form, "waiting": waiting},
    )


def _overdue_rows(today: Any) -> list[tuple[MidtermReport, int]]:
    return [(r, (today - r.due_on).days) for r in midterm_overdue(today)]


def midterm_overdue_list(request: HttpRequest) -> HttpResponse:
    """Staff: every mid-term report owed past its due day (``?format=xlsx`` downloads it)."""
    if not is_staff(request.user):
        raise Http404
    today = timezone.localdate()
    rows = _overdue_rows(today)
    if request.GET.get("format") == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = sheet_title(_("Overdue mid-term reports"))
        append(ws, [_("Project"), _("Organisation"), _("Call"), _("Check"), _("Due"), _("Days overdue")])
        for report, days in rows:
            a = report.application
            append(ws, [a.title, str(a.organisation or ""), a.call.title, report.round, report.due_on, days])
        return xlsx_response(workbook_bytes(wb), "midterm-overdue.xlsx")
    return render(request, "aftergrant/midterm_overdue.html", {"rows": rows})

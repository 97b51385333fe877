"""Pages of the years after the grant: the task contract (the applicant fills it, staff check
it on the application page), its PDF, the project's page and the staff list of projects.

The rules are the services' (``aftergrant.services`` through ``workflow.steps``), the same the
API runs; the forms only collect the input and show the services' errors where they belong
(a table's errors above it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.rules import is_staff
from aftergrant.documents import acceptance_certificate_pdf, contract_pdf
from aftergrant.enums import BudgetLine, ContractStatus
from aftergrant.filters import ProjectFilter
from aftergrant.models import ContractVersion
from aftergrant.rules import can_view_contract
from aftergrant.selectors import contract_in_force, contract_latest, project_overview, projects_contracted
from aftergrant.services import CheckDecision
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from audit.selectors import audit_for
from core.errors import StateConflict
from core.params import parse_int
from core.responses import xlsx_response
from workflow import steps

from . import selectors as pages_selectors
from .calls import RowsFormSet, WithRowsForm
from .dashboards import ANY, MONEY_FORMAT, Column, Section
from .forms import DateField, MoneyField, StepForm, TextField
from .views import _application_for, _application_step, _detail_url, _own_application, perform

S = ApplicationStatus

# --- the contract form ---------------------------------------------------------------------


class TargetRowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Target"), max_length=200)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=30)
    value = forms.DecimalField(label=gettext_lazy("Target value"), max_digits=14, decimal_places=2, min_value=0)


class BudgetRowForm(forms.Form):
    line = forms.ChoiceField(label=gettext_lazy("Budget line"), choices=[("", "—"), *BudgetLine.choices])
    county_yuan = MoneyField(label=gettext_lazy("County grant (yuan)"), required=False)
    own_yuan = MoneyField(label=gettext_lazy("Own funds (yuan)"), required=False)
    other_yuan = MoneyField(label=gettext_lazy("Other sources (yuan)"), required=False)


class MilestoneRowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due = DateField(label=gettext_lazy("Due"))


TargetFormSet = formset_factory(TargetRowForm, formset=RowsFormSet, extra=3, max_num=50, validate_max=True)
BudgetFormSet = formset_factory(
    BudgetRowForm, formset=RowsFormSet, extra=len(BudgetLine), max_num=len(BudgetLine), validate_max=True
)
MilestoneFormSet = formset_factory(MilestoneRowForm, formset=RowsFormSet, extra=2, max_num=50, validate_max=True)


AMOUNTS = ("county_yuan", "own_yuan", "other_yuan")


class ContractForm(WithRowsForm):
    """The task contract: the period, targets, budget by line and source, milestones, and the
    applicant's acceptance of the terms (the service refuses an unticked box)."""

    starts_on = DateField(label=gettext_lazy("Start date"))
    ends_on = DateField(label=gettext_lazy("End date"))
    accept_terms = forms.BooleanField(
        label=gettext_lazy("I have read the task contract and accept its terms."), required=False
    )

    formset_classes = {"targets": TargetFormSet, "budget": BudgetFormSet, "milestones": MilestoneFormSet}

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["targets"] = self.rows("targets")
        # A line chosen with no amount in any column is a blank row (the form offers every line).
        data["budget"] = [
            {**row, **{k: row.get(k) or 0 for k in AMOUNTS}}
            for row in self.rows("budget")
            if any(row.get(k) for k in AMOUNTS)
        ]
        data["milestones"] = self.rows("milestones")
        return data


def _contract_rows(version: ContractVersion | None) -> dict[str, list[dict[str, Any]]]:
    """A version's terms as the form's rows; with none, one budget row per line to fill."""
    if version is None:
        return {"budget": [{"line": line} for line in BudgetLine.values]}
    return {
        "targets": [{"name": t.name, "unit": t.unit, "value": t.value} for t in version.targets.all()],
        "budget": [
            {"line": b.line, "county_yuan": b.county_yuan, "own_yuan": b.own_yuan, "other_yuan": b.other_yuan}
            for b in version.budget.all()
        ],
        "milestones": [{"name": m.name, "due": m.due_on} for m in version.milestones.all()],
    }


def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant fills the task contract (or revises the one the bureau returned) and
    submits it for the bureau's check; while the step is not open, back to the application."""
    application = _own_application(request.user, pk)
    if "contract" not in pages_selectors.open_step_names(application):
        if request.method == "POST":
            messages.error(request, _("The task contract cannot be submitted now."))
        return redirect(_detail_url(application))
    latest = contract_latest(application)
    initial = {
        "starts_on": latest.starts_on if latest else application.start_date,
        "ends_on": latest.ends_on if latest else application.end_date,
    }
    form = ContractForm(request.POST or None, initial=initial, rows=_contract_rows(latest))
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.contract_submit(application=application, actor=request.user, **data),
            success=_("Task contract submitted. The bureau checks it before it comes into force."),
            then=_detail_url(application),
        )
        if response:
            return response
    return render(
        request,
        "pages/aftergrant/contract_form.html",
        {
            "form": form,
            "application": application,
            "returned": latest if latest and latest.status == ContractStatus.RETURNED else None,
        },
    )


class ContractCheckForm(StepForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=CheckDecision.CHOICES, widget=forms.RadioSelect
    )
    comment = TextField(
        label=gettext_lazy("Comment to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when returning."),
    )


contract_check = _application_step(
    ContractCheckForm,
    steps.contract_check,
    gettext_lazy("Task contract check recorded."),
    form_name="contract_check",
)


CONTRACT_EVENTS = {
    "contract.submit": gettext_lazy("Task contract submitted"),
    "contract.return": gettext_lazy("Task contract returned"),
    "contract.accept": gettext_lazy("Task contract in force"),
}


def contract_context(request: HttpRequest, application: Application, open_steps: set[str]) -> dict[str, Any]:
    """What the application page shows of the contract: the version being checked (for staff,
    with the check form), the applicant's link to fill it, and the project page once in force."""
    if application.status not in (S.FUNDED, *PROJECT_STATES):
        return {}
    latest = contract_latest(application)
    context: dict[str, Any] = {"contract": latest}
    if latest is not None:
        # Each submission, return and acceptance of the contract, with the bureau's comments:
        # a returned draft is filled again in place, so its history is the audit trail's.
        context["contract_history"] = [
            {"at": e.at, "label": CONTRACT_EVENTS.get(e.action, e.action), "comment": e.comment}
            for e in audit_for(latest).only("at", "action", "comment").order_by("at", "pk")
        ]
    if (
        is_staff(request.user)
        and "contract_check" in open_steps
        and latest
        and latest.status == ContractStatus.SUBMITTED
    ):
        context["contract_check_form"] = ContractCheckForm()
    return context


# --- the PDF, the project page ----------------------------------------------------------------


def _project_application(request: HttpRequest, pk: int) -> Application:
    application = _application_for(request.user, pk)
    if not can_view_contract(request.user, application):
        raise Http404
    return application


@require_GET
def contract_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The task contract in force (``?version=n`` an earlier one); 404 until one is in force."""
    application = _project_application(request, pk)
    raw = request.GET.get("version")
    number = parse_int(raw) if raw else None
    if raw and number is None:
        raise Http404
    try:
        content = contract_pdf(application, number=number, language=get_language())
    except StateConflict:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="task-contract-{application.pk}.pdf"'
    return response


@require_GET
def acceptance_certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The acceptance certificate (验收证书); 404 until acceptance passed and its notice closed."""
    application = _project_application(request, pk)
    try:
        content = acceptance_certificate_pdf(application, language=get_language())
    except StateConflict:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="acceptance-certificate-{application.pk}.pdf"'
    return response


@require_GET
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's page: the contract in force (older versions linked), targets beside
    reported progress, money by line, milestones and what is due next, and the mid-term and
    change-request areas the application's page shows too (``aftergrant/_midterm_section.html``,
    ``aftergrant/_changes_section.html``)."""
    from aftergrant.changes import CHANGEABLE_STATES, changes_of

    application = _project_application(request, pk)
    version = contract_in_force(application)
    if version is None:
        raise Http404
    context = {
        "application": application,
        **project_overview(application, version),
        "change_requests": list(changes_of(application)),
        "may_request_change": application.applicant_id == request.user.pk and application.status in CHANGEABLE_STATES,
    }
    return render(request, "pages/aftergrant/project.html", context)


# --- the staff list of projects ---------------------------------------------------------------

PROJECT_STATES = (S.CONTRACTED, S.ACCEPTANCE_SUBMITTED, S.CLOSED, S.FAILED, S.TERMINATED)


def projects_section(request: HttpRequest) -> Section:
    calls = list(Call.objects.order_by("-opens_at", "-id").values_list("pk", "title"))
    return Section(
        key="projects",
        title=gettext_lazy("Contracted projects"),
        request=request,
        queryset=projects_contracted().order_by("-is_overdue", "contract_ends_on", "pk"),
        search=("title",),
        statuses=[(ANY, gettext_lazy("Any status")), *((s.value, s.label) for s in PROJECT_STATES)],
        calls=calls,
        filterset=ProjectFilter,
        extra_filters=("programme", "organisation", "year", "overdue"),
        empty_text=gettext_lazy("No project has a task contract in force yet."),
        columns=[
            Column(gettext_lazy("Project"), lambda a: a.title),
            Column(gettext_lazy("Organisation"), lambda a: a.organisation.name),
            Column(gettext_lazy("Call"), lambda a: a.call.title),
            Column(gettext_lazy("Programme"), lambda a: a.call.programme.name),
            Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
            Column(gettext_lazy("Contract version"), lambda a: a.contract_number),
            Column(gettext_lazy("Granted (yuan)"), lambda a: a.approved_yuan, MONEY_FORMAT),
            Column(gettext_lazy("Paid (yuan)"), lambda a: a.paid_yuan, MONEY_FORMAT),
            Column(gettext_lazy("Ends on"), lambda a: a.contract_ends_on.isoformat()),
            Column(gettext_lazy("Next milestone"), lambda a: a.next_due_on.isoformat() if a.next_due_on else ""),
            Column(gettext_lazy("Report overdue"), lambda a: _("yes") if a.is_overdue else ""),
        ],
    )


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """Staff: every project with a contract in force, filtered, paginated, ``?export=projects``
    as xlsx with the same filters."""
    if not is_staff(request.user):
        raise Http404
    section = projects_section(request)
    if request.GET.get("export") == section.key:
        stamp = timezone.localdate().isoformat()
        return xlsx_response(section.xlsx(), f"pingshen-projects-{stamp}.xlsx")
    return render(request, "pages/aftergrant/projects.html", {"section": section, "today": timezone.localdate()})


def project_url(application: Application) -> str:
    return reverse("project", args=[application.pk])

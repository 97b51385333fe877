"""Pages of the county's upward work (issue 20): higher-level calls (staff record them, units
apply with the usual application form, staff send items to the panel or to a draw, the panel
recommends within the quota, staff record outcomes), the exports, and the commissioners with
their annual assessments.

Every write goes through ``workflow.steps`` or ``upward.services``, which check who may act.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.rules import is_panel, is_staff
from applications.enums import ApplicationStatus
from applications.models import Application, Programme
from applications.rules import can_apply
from applications.selectors import field_name
from core.responses import xlsx_response
from core.xlsx import append, sheet_title, workbook_bytes
from reviews.selectors import call_ranking
from upward import services
from upward.enums import AssessmentResult, AwardLevelUp, UpperAcceptanceResult, UpperLevel
from upward.exports import recommendation_letter_pdf, recommendation_summary_xlsx
from upward.filters import CommissionerFilter, UpperCallFilter, UpperProjectFilter
from upward.models import AwardPutForward, Commissioner, UpperCall, UpperMilestone
from upward.selectors import (
    commissioner_project_choices,
    commissioner_projects,
    commissioners_list,
    township_table,
    upper_call_items,
    upper_calls,
    upper_projects,
)
from upward.services import upper_live_count
from workflow import steps

from .forms import StepForm, TextField, VocabularyMixin, vocabulary_field
from .views import perform

S = ApplicationStatus
PAGE_SIZE = 25
DATETIME = dj_forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = dj_forms.DateInput(attrs={"type": "date"})


# --- forms --------------------------------------------------------------------------------------


class UpperCallForm(StepForm):
    title = dj_forms.CharField(label=gettext_lazy("Title"), max_length=200)
    level = dj_forms.ChoiceField(label=gettext_lazy("Level"), choices=UpperLevel.choices)
    programme = dj_forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.order_by("code"))
    year = dj_forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    quota = dj_forms.IntegerField(
        label=gettext_lazy("Quota"),
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("How many items the county may recommend."),
    )
    closes_at = dj_forms.DateTimeField(label=gettext_lazy("Deadline"), widget=DATETIME)
    commissioner = dj_forms.BooleanField(label=gettext_lazy("Commissioner programme"), required=False)


class UpperCallEditForm(UpperCallForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["year"]


class RecommendForm(StepForm):
    items = dj_forms.TypedMultipleChoiceField(
        label=gettext_lazy("Items to recommend"), coerce=int, required=False, widget=dj_forms.CheckboxSelectMultiple
    )
    comment = TextField(label=gettext_lazy("Comment"), max_length=2000, required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = choices  # type: ignore[attr-defined]


class OutcomeForm(StepForm):
    funded = dj_forms.TypedChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[("1", gettext_lazy("Funded by the higher level")), ("0", gettext_lazy("Not funded"))],
        coerce=lambda v: v == "1",
        widget=dj_forms.RadioSelect,
    )
    upper_yuan = dj_forms.DecimalField(
        label=gettext_lazy("Higher-level funds (yuan)"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    matching_yuan = dj_forms.DecimalField(
        label=gettext_lazy("County matching funds (yuan)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=0,
        help_text=gettext_lazy("Paid after a finance officer's and a finance head's approval."),
    )
    comment = TextField(label=gettext_lazy("Comment"), max_length=2000, required=False)

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("upper_yuan", "matching_yuan"):
            data[name] = data[name] if data[name] is not None else "0"
        return data


class UpperMilestoneForm(StepForm):
    name = dj_forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due = dj_forms.DateField(label=gettext_lazy("Due"), widget=DATE)


class MilestoneDoneForm(StepForm):
    done_at = dj_forms.DateField(label=gettext_lazy("Done on"), widget=DATE)


class UpperAcceptanceForm(StepForm):
    result = dj_forms.ChoiceField(
        label=gettext_lazy("Result"), choices=UpperAcceptanceResult.choices, widget=dj_forms.RadioSelect
    )
    accepted_on = dj_forms.DateField(label=gettext_lazy("Acceptance date"), widget=DATE)
    organised_by = dj_forms.CharField(
        label=gettext_lazy("Organised by"),
        max_length=200,
        help_text=gettext_lazy("Who organised the acceptance, e.g. the bureau's division and the experts' panel."),
    )
    comment = TextField(label=gettext_lazy("Comment"), max_length=2000, required=False)


class CommissionerForm(VocabularyMixin, StepForm):
    vocabulary = ("field",)

    name = dj_forms.CharField(label=gettext_lazy("Name"), max_length=60)
    organisation = dj_forms.CharField(label=gettext_lazy("Organisation"), max_length=200, required=False)
    level = dj_forms.ChoiceField(label=gettext_lazy("Sent by"), choices=UpperLevel.choices)
    township = dj_forms.CharField(label=gettext_lazy("Township"), max_length=60)
    field = vocabulary_field(label=gettext_lazy("Field"))
    term_start = dj_forms.DateField(label=gettext_lazy("Term starts"), widget=DATE)
    term_end = dj_forms.DateField(label=gettext_lazy("Term ends"), widget=DATE)


class ProjectChoiceField(dj_forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.call.title} · {obj.title}"
        led = getattr(obj, "commissioner_project", None)
        if led is not None:
            label += " · " + _("now led by %(name)s") % {"name": led.commissioner.name}
        return label


class CommissionerProjectForm(StepForm):
    """Name this commissioner as the leader of an item of a commissioner call."""

    application = ProjectChoiceField(
        label=gettext_lazy("Project"),
        queryset=Application.objects.none(),
        help_text=gettext_lazy("An item of a commissioner call; one led by another commissioner moves to this one."),
    )
    base = dj_forms.CharField(label=gettext_lazy("Demonstration base"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = commissioner_project_choices()  # type: ignore[attr-defined]


class AssessmentForm(StepForm):
    year = dj_forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    result = dj_forms.ChoiceField(label=gettext_lazy("Result"), choices=AssessmentResult.choices)
    comment = TextField(label=gettext_lazy("Comment"), max_length=2000, required=False)


# --- helpers ------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("Only bureau staff do this."))


def _upper(pk: int) -> UpperCall:
    upper = upper_calls().filter(pk=pk).first()
    if upper is None:
        raise Http404
    return upper


def _upper_item(request: HttpRequest, pk: int) -> Application:
    """An item of a higher-level call that staff may see (submitted), else 404."""
    item = (
        Application.objects.select_related("call", "organisation")
        .filter(pk=pk, call__upper__isnull=False)
        .exclude(status=S.DRAFT)
        .first()
    )
    if item is None:
        raise Http404
    return item


def _post_step(request: HttpRequest, form: StepForm, step: Any, *, success: str, url: str) -> HttpResponse:
    """A form posted from a detail page: do the step and go back there, the form's errors
    shown as messages (the page shows the form afresh)."""
    response = perform(request, form, step, success=success, then=url)
    if response:
        return response
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(url)


def _call_url(upper: UpperCall) -> str:
    return reverse("upper-call", args=[upper.pk])


def _query(request: HttpRequest) -> str:
    """The list's filters, for its pager and export links (without the page)."""
    return urlencode({k: v for k, v in request.GET.items() if k != "page" and v})


# --- higher-level calls ---------------------------------------------------------------------------


def upper_call_list(request: HttpRequest) -> HttpResponse:
    """Every higher-level call, filtered by year and level; units see which are open."""
    filters = UpperCallFilter(request.GET or None, queryset=upper_calls())
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "page": page,
        "form": filters.form,
        "is_staff": is_staff(request.user),
        "can_apply": can_apply(request.user),
        "now": now,
        "query": _query(request),
    }
    return render(request, "upward/call_list.html", context)


def upper_call_list_xlsx(request: HttpRequest) -> HttpResponse:
    if not (is_staff(request.user) or is_panel(request.user)):
        raise PermissionDenied(_("Only bureau staff and the panel export this list."))
    calls = UpperCallFilter(request.GET or None, queryset=upper_calls()).qs
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Higher-level calls"))
    append(
        ws,
        [_("No."), _("Title"), _("Level"), _("Programme"), _("Year"), _("Quota"), _("Items"), _("Recommended")],
    )
    for n, upper in enumerate(calls, 1):
        call = upper.call
        append(
            ws,
            [n, call.title, upper.get_level_display(), call.programme.name, call.year, upper.quota]
            + [upper.n_items, upper.n_recommended],
        )
    return xlsx_response(workbook_bytes(wb), "upper-calls.xlsx")


def upper_call_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = UpperCallForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: services.upper_call_create(actor=request.user, **data),
            success=_("Higher-level call recorded; units may apply to it."),
            then=_call_url,
        )
        if response:
            return response
    return render(
        request,
        "upward/form.html",
        {
            "form": form,
            "title": _("New higher-level call"),
            "back": reverse("upper-calls"),
            "back_label": _("Higher-level calls"),
        },
    )


def upper_call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    upper = _upper(pk)
    call = upper.call
    initial = {
        "title": call.title,
        "level": upper.level,
        "programme": call.programme_id,
        "quota": upper.quota,
        "closes_at": timezone.localtime(call.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "commissioner": upper.commissioner,
    }
    form = UpperCallEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: services.upper_call_update(upper_call=upper, actor=request.user, **data),
            success=_("Changes saved."),
            then=_call_url(upper),
        )
        if response:
            return response
    return render(
        request,
        "upward/form.html",
        {"form": form, "title": _("Edit higher-level call"), "back": _call_url(upper), "back_label": call.title},
    )


def upper_call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone logged in reads the call (units apply here); staff and the panel see its items
    with their ranking, the panel recommends within the quota, staff act on each item."""
    upper = _upper(pk)
    staff, panel = is_staff(request.user), is_panel(request.user)
    context: dict[str, Any] = {
        "upper": upper,
        "call": upper.call,
        "is_staff": staff,
        "is_panel": panel,
        "can_apply": can_apply(request.user) and upper.call.is_open(),
    }
    if staff or panel:
        items = list(upper_call_items(upper))
        ranked = {row.item: row for row in call_ranking(upper.call)}
        live = upper_live_count(upper.call)
        context.update(
            {
                "rows": [(item, ranked.get(item.pk)) for item in items],
                "live": live,
                "within_quota": live <= upper.quota,
                "closed": not upper.call.is_open(),
                "recommended": sum(
                    1 for item in items if item.status in (S.RECOMMENDED, S.UPPER_FUNDED, S.UPPER_NOT_FUNDED)
                ),
            }
        )
        reviewed = [(item.pk, item.title) for item in items if item.status == S.REVIEWED]
        if panel and reviewed:
            context["recommend_form"] = RecommendForm(choices=reviewed)
    return render(request, "upward/call_detail.html", context)


@require_POST
def upper_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_panel(request.user):
        raise PermissionDenied(_("Only the panel recommends."))
    upper = _upper(pk)
    reviewed = [(a.pk, a.title) for a in upper_call_items(upper).filter(status=S.REVIEWED)]
    return _post_step(
        request,
        RecommendForm(request.POST, choices=reviewed),
        lambda **data: steps.upper_recommend(upper_call=upper, actor=request.user, **data),
        success=_("The recommendation is recorded; the applicants are told."),
        url=_call_url(upper),
    )


@require_POST
def upper_to_panel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = _upper_item(request, pk)
    upper = UpperCall.objects.get(call_id=item.call_id)
    perform(
        request,
        StepForm(request.POST),
        lambda: steps.upper_skip_ranking(application=item, actor=request.user),
        success=_("Sent to the panel without expert ranking."),
        then=_call_url(upper),
    )
    return redirect(_call_url(upper))


def upper_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = _upper_item(request, pk)
    upper = UpperCall.objects.select_related("call").get(call_id=item.call_id)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.upper_outcome_record(application=item, actor=request.user, **data),
            success=_("The outcome is recorded."),
            then=_call_url(upper),
        )
        if response:
            return response
    context = {
        "form": form,
        "title": _("Record the outcome"),
        "back": _call_url(upper),
        "back_label": upper.call.title,
        "item": item,
    }
    return render(request, "upward/form.html", context)


# --- county-organised milestones and acceptance ----------------------------------------------


def _item_url(item: Application) -> str:
    return reverse("application-detail", args=[item.pk]) + "#upper-followup"


@require_POST
def upper_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = _upper_item(request, pk)
    return _post_step(
        request,
        UpperMilestoneForm(request.POST),
        lambda **data: services.upper_milestone_add(application=item, actor=request.user, **data),
        success=_("Milestone added; the applicant is told."),
        url=_item_url(item),
    )


@require_POST
def upper_milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    milestone = UpperMilestone.objects.select_related("application").filter(pk=pk).first()
    if milestone is None:
        raise Http404
    return _post_step(
        request,
        MilestoneDoneForm(request.POST),
        lambda **data: services.upper_milestone_done(milestone=milestone, actor=request.user, **data),
        success=_("The milestone is recorded as done."),
        url=_item_url(milestone.application),
    )


@require_POST
def upper_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = _upper_item(request, pk)
    return _post_step(
        request,
        UpperAcceptanceForm(request.POST),
        lambda **data: services.upper_acceptance_record(application=item, actor=request.user, **data),
        success=_("The acceptance is recorded; the applicant is told."),
        url=_item_url(item),
    )


def upper_project_list(request: HttpRequest) -> HttpResponse:
    """The projects the higher level funded with their follow-up: milestones done and due,
    the acceptance; filtered by year, level, acceptance and a search."""
    _require_bureau(request)
    filters = UpperProjectFilter(request.GET or None, queryset=upper_projects())
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": filters.form, "query": _query(request), "today": timezone.localdate()}
    return render(request, "upward/project_list.html", context)


def upper_project_list_xlsx(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    rows = UpperProjectFilter(request.GET or None, queryset=upper_projects()).qs
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Higher-level projects"))
    append(
        ws,
        [_("No."), _("Project"), _("Unit"), _("Call"), _("Level"), _("Programme"), _("Year")]
        + [_("Higher-level funds (yuan)"), _("County matching funds (yuan)"), _("Milestones"), _("Done")]
        + [_("Next due"), _("Acceptance"), _("Acceptance date"), _("Organised by")],
    )
    for n, item in enumerate(rows, 1):
        accepted = getattr(item, "upper_acceptance", None)
        append(
            ws,
            [n, item.title, item.organisation.name, item.call.title, item.call.upper.get_level_display()]
            + [item.call.programme.name, item.call.year, item.upper_outcome.upper_yuan]
            + [item.upper_outcome.matching_yuan, item.n_milestones, item.n_done]
            + [item.next_due.isoformat() if item.next_due else ""]
            + [accepted.get_result_display() if accepted else ""]
            + [accepted.accepted_on.isoformat() if accepted else "", accepted.organised_by if accepted else ""],
        )
    return xlsx_response(workbook_bytes(wb), "upper-projects.xlsx")


def upper_summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    if not (is_staff(request.user) or is_panel(request.user)):
        raise PermissionDenied(_("Only bureau staff and the panel export this table."))
    upper = _upper(pk)
    return xlsx_response(recommendation_summary_xlsx(upper), f"upper-call-{upper.pk}-summary.xlsx")


def upper_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    upper = _upper(pk)
    response = HttpResponse(recommendation_letter_pdf(upper), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="upper-call-{upper.pk}-letter.pdf"'
    return response


# --- commissioners -------------------------------------------------------------------------------


def _require_bureau(request: HttpRequest) -> None:
    if not (is_staff(request.user) or is_panel(request.user)):
        raise PermissionDenied(_("Only bureau staff and the panel read this."))


def commissioner_list(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    filters = CommissionerFilter(request.GET or None, queryset=commissioners_list())
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": filters.form, "is_staff": is_staff(request.user), "query": _query(request)}
    return render(request, "upward/commissioner_list.html", context)


def commissioner_list_xlsx(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    rows = CommissionerFilter(request.GET or None, queryset=commissioners_list()).qs
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Commissioners"))
    append(
        ws,
        [_("No."), _("Name"), _("Organisation"), _("Sent by"), _("Township"), _("Field")]
        + [_("Term starts"), _("Term ends"), _("Projects")],
    )
    for n, c in enumerate(rows, 1):
        append(
            ws,
            [n, c.name, c.organisation, c.get_level_display(), c.township.name, field_name(c.field)]
            + [c.term_start.isoformat(), c.term_end.isoformat(), c.n_projects],
        )
    return xlsx_response(workbook_bytes(wb), "commissioners.xlsx")


def _commissioner_url(commissioner: Commissioner) -> str:
    return reverse("commissioner", args=[commissioner.pk])


def commissioner_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = CommissionerForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: services.commissioner_create(actor=request.user, **data),
            success=_("Commissioner recorded."),
            then=_commissioner_url,
        )
        if response:
            return response
    return render(
        request,
        "upward/form.html",
        {
            "form": form,
            "title": _("New commissioner"),
            "back": reverse("commissioners"),
            "back_label": _("Commissioners"),
        },
    )


def commissioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The commissioner's record, projects and assessments; staff edit and assess here."""
    _require_bureau(request)
    commissioner = Commissioner.objects.select_related("township").filter(pk=pk).first()
    if commissioner is None:
        raise Http404
    staff = is_staff(request.user)
    initial = {
        "name": commissioner.name,
        "organisation": commissioner.organisation,
        "level": commissioner.level,
        "township": commissioner.township.name,
        "field": commissioner.field,
        "term_start": commissioner.term_start,
        "term_end": commissioner.term_end,
    }
    form = CommissionerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_staff(request)
        response = perform(
            request,
            form,
            lambda **data: services.commissioner_update(commissioner=commissioner, actor=request.user, **data),
            success=_("Changes saved."),
            then=_commissioner_url(commissioner),
        )
        if response:
            return response
    context = {
        "commissioner": commissioner,
        "form": form if staff else None,
        "assessment_form": AssessmentForm(initial={"year": timezone.localdate().year}) if staff else None,
        "assessments": commissioner.assessments.order_by("-year"),
        "projects": commissioner_projects(commissioner),
        "project_form": CommissionerProjectForm() if staff else None,
    }
    return render(request, "upward/commissioner_detail.html", context)


@require_POST
def commissioner_assess(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    commissioner = Commissioner.objects.filter(pk=pk).first()
    if commissioner is None:
        raise Http404
    return _post_step(
        request,
        AssessmentForm(request.POST),
        lambda **data: services.assessment_record(commissioner=commissioner, actor=request.user, **data),
        success=_("Assessment recorded."),
        url=_commissioner_url(commissioner),
    )


@require_POST
def commissioner_project_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff name the commissioner as leader of an item of a commissioner call."""
    _require_staff(request)
    commissioner = Commissioner.objects.filter(pk=pk).first()
    if commissioner is None:
        raise Http404
    return _post_step(
        request,
        CommissionerProjectForm(request.POST),
        lambda **data: services.commissioner_project_set(commissioner=commissioner, actor=request.user, **data),
        success=_("The project is linked to the commissioner."),
        url=_commissioner_url(commissioner),
    )


class TownshipYearForm(dj_forms.Form):
    year = dj_forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)


def _township_rows(request: HttpRequest) -> tuple[TownshipYearForm, int | None, list[Any]]:
    form = TownshipYearForm(request.GET or None)
    year = form.cleaned_data["year"] if form.is_valid() else None
    return form, year, township_table(year)


def township_list(request: HttpRequest) -> HttpResponse:
    """The townships covered by commissioners (a year's, or all): commissioners, projects and
    fields per township, as a table and a chart."""
    _require_bureau(request)
    form, year, rows = _township_rows(request)
    chart = [
        {"label": row.township[:28], "value": len(row.commissioners), "display": str(len(row.commissioners))}
        for row in rows
    ]
    project_chart = [
        {
            "label": row.township[:28],
            "value": row.projects,
            "part": row.funded,
            "display": f"{row.funded} / {row.projects}",
        }
        for row in rows
    ]
    context = {
        "form": form,
        "year": year,
        "rows": [(row, [field_name(code) for code in row.fields]) for row in rows],
        "chart": chart,
        "project_chart": project_chart,
        "totals": {
            "commissioners": sum(len(row.commissioners) for row in rows),
            "projects": sum(row.projects for row in rows),
            "funded": sum(row.funded for row in rows),
        },
        "query": _query(request),
    }
    return render(request, "upward/township_list.html", context)


def township_list_xlsx(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    _form, year, rows = _township_rows(request)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Townships covered"))
    append(
        ws,
        [_("No."), _("Township"), _("Commissioners"), _("Names"), _("Projects"), _("Funded"), _("Fields")],
    )
    for n, row in enumerate(rows, 1):
        append(
            ws,
            [n, row.township, len(row.commissioners), "、".join(row.commissioners), row.projects, row.funded]
            + ["、".join(field_name(code) for code in row.fields)],
        )
    name = f"townships-{year}.xlsx" if year else "townships.xlsx"
    return xlsx_response(workbook_bytes(wb), name)


# --- award winners put forward -------------------------------------------------------------------


class PutForwardForm(StepForm):
    nomination = dj_forms.ModelChoiceField(
        label=gettext_lazy("County award winner"),
        required=False,
        queryset=Application.objects.none(),
        help_text=gettext_lazy("Or, for a winner of an earlier round, give its title and unit below."),
    )
    title = dj_forms.CharField(label=gettext_lazy("Achievement"), max_length=200, required=False)
    unit = dj_forms.CharField(label=gettext_lazy("Unit"), max_length=200, required=False)
    level = dj_forms.ChoiceField(label=gettext_lazy("Level"), choices=AwardLevelUp.choices)
    award = dj_forms.CharField(label=gettext_lazy("Award"), max_length=200)
    year = dj_forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        winners = Application.objects.filter(
            kind="nomination", status__in=[S.GRANTED, S.CLOSED], decision__level__isnull=False
        ).order_by("-call__year", "title")
        self.fields["nomination"].queryset = winners  # type: ignore[attr-defined]


class PutForwardOutcomeForm(StepForm):
    awarded = dj_forms.TypedChoiceField(
        label=gettext_lazy("Result"),
        choices=[("1", gettext_lazy("Awarded")), ("0", gettext_lazy("Not awarded"))],
        coerce=lambda v: v == "1",
    )
    grade = dj_forms.TypedChoiceField(
        label=gettext_lazy("Grade"),
        choices=[("", "—"), ("1", "1"), ("2", "2"), ("3", "3")],
        coerce=int,
        empty_value=None,
        required=False,
    )


def put_forward_list(request: HttpRequest) -> HttpResponse:
    """The winners put forward to city and provincial awards; staff add one and record results."""
    _require_bureau(request)
    staff = is_staff(request.user)
    form = PutForwardForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _require_staff(request)
        response = perform(
            request,
            form,
            lambda **data: services.award_put_forward(actor=request.user, **data),
            success=_("The winner is put forward."),
            then=reverse("awards-put-forward"),
        )
        if response:
            return response
    items = AwardPutForward.objects.select_related("nomination").order_by("-year", "id")
    context = {
        "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form if staff else None,
        "outcome_form": PutForwardOutcomeForm() if staff else None,
        "is_staff": staff,
    }
    return render(request, "upward/put_forward_list.html", context)


@require_POST
def put_forward_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = AwardPutForward.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return _post_step(
        request,
        PutForwardOutcomeForm(request.POST),
        lambda **data: services.award_put_forward_outcome(item=item, actor=request.user, **data),
        success=_("The result is recorded."),
        url=reverse("awards-put-forward"),
    )

"""Pages of credit records (科研诚信, issue 17.5): staff list them with filters, record one, confirm
another's (a second staff member) and decide appeals; a subject — a member of the organisation,
or the expert — reads the records on them and appeals once.

Every write goes through ``integrity.services``, which check who may act.
"""

from __future__ import annotations

from typing import Any

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.rules import is_staff
from integrity import services
from integrity.enums import AppealStatus, CreditLevel, CreditStatus, SubjectType
from integrity.models import CreditRecord
from integrity.selectors import credit_records_visible_to, is_subject
from reviews.models import Expert

from .forms import StepForm, TextField
from .views import perform

PAGE_SIZE = 25


class FilterForm(dj_forms.Form):
    q = dj_forms.CharField(label=gettext_lazy("Organisation or expert"), required=False, max_length=100)
    subject_type = dj_forms.ChoiceField(
        label=gettext_lazy("Subject"), required=False, choices=[("", gettext_lazy("All")), *SubjectType.choices]
    )
    level = dj_forms.ChoiceField(
        label=gettext_lazy("Level"), required=False, choices=[("", gettext_lazy("All")), *CreditLevel.choices]
    )
    status = dj_forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All")), *CreditStatus.choices]
    )
    appeal = dj_forms.ChoiceField(
        label=gettext_lazy("Appeal"), required=False, choices=[("", gettext_lazy("All")), *AppealStatus.choices[1:]]
    )


class CreditRecordForm(StepForm):
    subject_type = dj_forms.ChoiceField(label=gettext_lazy("Subject"), choices=SubjectType.choices)
    organisation = dj_forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    expert = dj_forms.ModelChoiceField(
        label=gettext_lazy("Expert"), queryset=Expert.objects.order_by("name", "id"), required=False
    )
    level = dj_forms.ChoiceField(label=gettext_lazy("Level"), choices=CreditLevel.choices)
    reason = TextField(label=gettext_lazy("Reason"), max_length=4000, widget=dj_forms.Textarea(attrs={"rows": 4}))
    source = dj_forms.CharField(
        label=gettext_lazy("Source"),
        max_length=300,
        help_text=gettext_lazy("Where the finding comes from: an acceptance result, an audit, a complaint …"),
    )
    valid_until = dj_forms.DateField(
        label=gettext_lazy("Valid until"), widget=dj_forms.DateInput(attrs={"type": "date"})
    )

    error_fields = {"subject": "organisation"}

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        organisation, expert = data.pop("organisation"), data.pop("expert")
        data["subject"] = expert if data["subject_type"] == SubjectType.EXPERT else organisation
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subject_type") == SubjectType.EXPERT and not data.get("expert"):
            self.add_error("expert", _("Choose the expert."))
        if data.get("subject_type") == SubjectType.ORGANISATION and not data.get("organisation"):
            self.add_error("organisation", _("Choose the organisation."))
        return data


class AppealForm(StepForm):
    text = TextField(label=gettext_lazy("Your appeal"), max_length=4000, widget=dj_forms.Textarea(attrs={"rows": 4}))


class AppealDecisionForm(StepForm):
    upheld = dj_forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Uphold the appeal: revoke the record")), ("0", gettext_lazy("Reject the appeal"))],
        coerce=lambda v: v == "1",
        widget=dj_forms.RadioSelect,
    )
    decision = TextField(label=gettext_lazy("Reasons"), max_length=4000, widget=dj_forms.Textarea(attrs={"rows": 3}))


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("Only bureau staff keep credit records."))


def _record(request: HttpRequest, pk: int) -> CreditRecord:
    record = credit_records_visible_to(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def credit_records(request: HttpRequest) -> HttpResponse:
    """Staff: every record, filtered by subject, level, status and appeal, 25 a page. Anyone
    else: the records in effect on their organisation or on themselves."""
    records = credit_records_visible_to(request.user).select_related("created_by", "confirmed_by")
    form = FilterForm(request.GET or None)
    if form.is_valid():
        f = form.cleaned_data
        if f["q"]:
            from django.db.models import Q

            records = records.filter(Q(organisation__name__icontains=f["q"]) | Q(expert__name__icontains=f["q"]))
        for name in ("subject_type", "level", "status"):
            if f[name]:
                records = records.filter(**{name: f[name]})
        if f["appeal"]:
            records = records.filter(appeal_status=f["appeal"])
    page = Paginator(records.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/integrity/list.html",
        {"page": page, "form": form, "is_staff": is_staff(request.user), "query": request.GET.urlencode()},
    )


def credit_record_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = CreditRecordForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: services.credit_record_create(actor=request.user, **data),
            success=_("Credit record entered. A second member of staff must confirm it before it takes effect."),
            then=lambda record: reverse("credit-record", args=[record.pk]),
        )
        if response:
            return response
    return render(request, "pages/integrity/form.html", {"form": form})


def credit_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    staff = is_staff(request.user)
    context: dict[str, Any] = {
        "record": record,
        "is_staff": staff,
        "can_confirm": staff and record.status == CreditStatus.PENDING and record.created_by_id != request.user.pk,
        "appeal_form": AppealForm()
        if is_subject(request.user, record) and record.status == CreditStatus.CONFIRMED and not record.appeal_status
        else None,
        "decision_form": AppealDecisionForm() if staff and record.appeal_status == AppealStatus.OPEN else None,
    }
    return render(request, "pages/integrity/detail.html", context)


def _record_step(request: HttpRequest, pk: int, form: StepForm, step: Any, success: str) -> HttpResponse:
    record = _record(request, pk)
    url = reverse("credit-record", args=[record.pk])
    response = perform(
        request, form, lambda **data: step(record=record, actor=request.user, **data), success=success, then=url
    )
    if response:
        return response
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(url)


@require_POST
def credit_record_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    return _record_step(
        request,
        pk,
        StepForm(request.POST),
        services.credit_record_confirm,
        _("The credit record is confirmed and in force."),
    )


@require_POST
def credit_record_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_subject(request.user, _record(request, pk)):
        raise PermissionDenied(_("Only the organisation or the expert the record is on may appeal."))
    return _record_step(
        request,
        pk,
        AppealForm(request.POST),
        services.credit_record_appeal,
        _("Your appeal is filed; the bureau will decide it."),
    )


@require_POST
def credit_record_appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    return _record_step(
        request, pk, AppealDecisionForm(request.POST), services.credit_record_appeal_decide, _("The appeal is decided.")
    )


# --- limits (限项): staff let one application past its call's limits ------------------------------


class LimitsOverrideForm(StepForm):
    reason = TextField(
        label=gettext_lazy("Why this application may exceed the call's limits"),
        max_length=2000,
        widget=dj_forms.Textarea(attrs={"rows": 3}),
    )


def limits_override(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff override the call's limits for one application (by its number, which the applicant
    gives when asking for the exception): the page shows the title, organisation and the rule
    that refuses it now, and takes the reason."""
    from applications import services as app_services
    from applications.models import Application

    _require_staff(request)
    application = Application.objects.select_related("call", "organisation").filter(pk=pk, kind="application").first()
    if application is None:
        raise Http404
    form = LimitsOverrideForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.application_limits_override(
                application=application, actor=request.user, **data
            ),
            success=_("The limits are overridden for this application; it may be submitted."),
            then=reverse("limits-override", args=[application.pk]),
        )
        if response:
            return response
    return render(
        request,
        "pages/integrity/limits_override.html",
        {"application": application, "form": form, "refusal": app_services.limit_refusal(application)},
    )

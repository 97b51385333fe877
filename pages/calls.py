"""Staff set up the year through the pages: programmes, calls and award rounds — create, edit
until they open, and copy last year's into a new one.

The rules are the services' (``applications.services.call_create``/``call_update``,
``awards.services.award_round_create``/``award_round_update``, ``reviews.services.criteria_set``),
the same the API's ``POST /api/calls/`` and ``POST /api/award-rounds/`` run, so a call set up
here passes exactly the checks it would pass there. The forms only collect the input; the
service's errors come back on the field (or the table of criteria or levels) they name.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.rules import is_staff
from applications import services as app_services
from applications.enums import CallKind, ScoringRule
from applications.models import Call, Programme
from awards import services as award_services
from awards.models import LEVELS, AwardRound
from workflow import steps

from .forms import DateTimeField, MoneyField, StepForm, TextField
from .views import perform

# --- forms ------------------------------------------------------------------------------------


class ProgrammeForm(StepForm):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=30,
        help_text=gettext_lazy("Letters, digits and hyphens, e.g. industrial; it never changes."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=30)
    label = forms.CharField(label=gettext_lazy("Criterion"), max_length=100)
    weight = forms.DecimalField(label=gettext_lazy("Weight"), max_digits=6, decimal_places=2, min_value=0.01)
    max_score = forms.DecimalField(label=gettext_lazy("Maximum score"), max_digits=6, decimal_places=2, min_value=0.01)
    guidance = TextField(
        label=gettext_lazy("Guidance for experts"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Level"),
        coerce=int,
        # A blank first choice: a select always sends a value, and a blank row must stay blank.
        choices=[("", "—")] + [(lv, gettext_lazy("Level %(n)s") % {"n": lv}) for lv in LEVELS],
    )
    quota = forms.IntegerField(label=gettext_lazy("Quota"), min_value=0, max_value=10000)
    bonus_yuan = MoneyField(label=gettext_lazy("Bonus (yuan)"))


class RowsFormSet(BaseFormSet):
    """Rows where a blank row is left out wherever it stands, and a row sent back unchanged
    counts (Django's formset would drop an unchanged row as if it were blank)."""

    def initial_form_count(self) -> int:
        return 0 if self.is_bound else super().initial_form_count()


CriterionFormSet = formset_factory(
    CriterionForm, formset=RowsFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)
LevelFormSet = formset_factory(
    LevelForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=len(LEVELS), validate_max=True
)


class WithRowsForm(StepForm):
    """A form with tables of rows beside it (criteria, levels): valid when all are; each
    table's rows go to the step under the table's name, blank and deleted rows left out."""

    formset_classes: dict[str, type[BaseFormSet]] = {}

    def __init__(self, data: Any = None, *, rows: dict[str, list[dict[str, Any]]] | None = None, **kwargs: Any):
        super().__init__(data, **kwargs)
        # Bound, the rows are what was sent: without an initial, no row looks "unchanged".
        initial = {} if data is not None else (rows or {})
        self.formsets = {
            name: cls(data, prefix=name, initial=initial.get(name)) for name, cls in self.formset_classes.items()
        }

    def is_valid(self) -> bool:
        return all([super().is_valid(), *(formset.is_valid() for formset in self.formsets.values())])

    def rows(self, name: str) -> list[dict[str, Any]]:
        formset = self.formsets[name]
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def disable(self) -> None:
        """Read-only: the terms are shown, not offered for change."""
        for form in [self, *(f for formset in self.formsets.values() for f in formset.forms)]:
            for field in form.fields.values():
                field.disabled = True


_TRANCHE_SEPARATORS = re.compile(r"[\s,，、;；%]+")


class TranchesField(forms.CharField):
    """The tranche plan as people write it, ``60, 40`` (percent of the amount granted)."""

    default_error_messages = {
        "invalid": gettext_lazy("Give each tranche as a whole positive percentage, e.g. 60, 40."),
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value)
        parts = [p for p in _TRANCHE_SEPARATORS.split(text or "") if p]
        if not all(p.isdigit() and len(p) <= 3 for p in parts):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(p) for p in parts]


_DOCUMENT_LINE = re.compile(r"^\s*([^:：\s]+)\s*[:：]\s*(.+?)\s*$")


class RequiredDocumentsField(forms.CharField):
    """The documents a call requires, a line each as ``code: name`` (``licence: 营业执照``); the
    service checks the codes and names (``applications.services.required_documents_clean``)."""

    widget = forms.Textarea(attrs={"rows": 4})
    default_error_messages = {
        "invalid": gettext_lazy("Write each required document on its own line as code: name, e.g. licence: 营业执照."),
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{d.get('code', '')}: {d.get('name', '')}" for d in value if isinstance(d, dict))
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        documents = []
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            match = _DOCUMENT_LINE.match(line)
            if match is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            documents.append({"code": match.group(1), "name": match.group(2)})
        return documents


class ReviewTermsForm(WithRowsForm):
    """What a call and an award round share: the period and how the experts review."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    year = forms.IntegerField(label=gettext_lazy("Year"))
    opens_at = DateTimeField(label=gettext_lazy("Opens at"))
    closes_at = DateTimeField(label=gettext_lazy("Closes at"))
    reviewers_per_item = forms.IntegerField(label=gettext_lazy("Reviewers per item"), initial=5)
    min_reviews = forms.IntegerField(
        label=gettext_lazy("Minimum reviews"),
        initial=3,
        help_text=gettext_lazy("An item is ranked once it has this many reviews."),
    )
    review_days = forms.IntegerField(label=gettext_lazy("Days to review"), initial=14, min_value=1, max_value=365)
    scoring_rule = forms.ChoiceField(label=gettext_lazy("Scoring rule"), choices=ScoringRule.choices)
    spread_threshold = forms.DecimalField(
        label=gettext_lazy("Disagreement threshold"),
        initial=20,
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy("Items whose scores differ by more than this are flagged."),
    )
    blind = forms.BooleanField(label=gettext_lazy("Blind review: experts do not see who applied"), required=False)
    notice_days = forms.IntegerField(label=gettext_lazy("Notice days"), initial=7)
    required_documents = RequiredDocumentsField(
        label=gettext_lazy("Required documents"),
        required=False,
        help_text=gettext_lazy(
            "One per line as code: name, e.g. proposal: 申报书, licence: 营业执照, accounts: 财务报表. "
            "Submission is refused while one is missing."
        ),
    )

    formset_classes = {"criteria": CriterionFormSet}

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["criteria"] = self.rows("criteria")
        return data


class CallForm(ReviewTermsForm):
    programme = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none())
    batch = forms.IntegerField(label=gettext_lazy("Batch"), initial=1)
    budget_yuan = MoneyField(label=gettext_lazy("Budget (yuan)"))
    max_request_yuan = MoneyField(label=gettext_lazy("Maximum request per project (yuan)"))
    tranches = TranchesField(
        label=gettext_lazy("Tranche plan (percent)"),
        initial="60, 40",
        max_length=40,
        help_text=gettext_lazy(
            "Percent paid at contract and at acceptance, adding up to 100, e.g. 60, 40. With a mid-term "
            "check give one more tranche per check, e.g. 40, 30, 30: the middle ones are paid when a "
            "mid-term check passes."
        ),
    )
    midterm = forms.BooleanField(
        label=gettext_lazy("Mid-term check"),
        required=False,
        help_text=gettext_lazy(
            "Projects report progress and spending every few months after the contract; a passed check "
            "releases the next tranche. The number of checks is the number of tranches less two, unless "
            "you give more below."
        ),
    )
    midterm_months = forms.IntegerField(
        label=gettext_lazy("Months between mid-term checks"),
        initial=12,
        min_value=1,
        max_value=60,
        required=False,
        help_text=gettext_lazy("The first check is due this many months after the contract, the next as many after."),
    )
    midterm_checks = forms.IntegerField(
        label=gettext_lazy("Number of mid-term checks"),
        min_value=1,
        max_value=6,
        required=False,
        help_text=gettext_lazy(
            "Leave empty for one check per middle tranche. More checks than middle tranches: the "
            "later ones release no tranche; the last tranche is paid at acceptance."
        ),
    )
    acceptance_experts = forms.IntegerField(
        label=gettext_lazy("Acceptance experts"),
        initial=3,
        min_value=3,
        max_value=5,
        required=False,
        help_text=gettext_lazy("How many experts are drawn for a project's acceptance (验收), 3 to 5."),
    )
    # Limits (限项), checked at submission; staff may override them for one application.
    max_applications_per_organisation = forms.IntegerField(
        label=gettext_lazy("Applications per organisation"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Leave empty for no limit."),
    )
    block_overdue_acceptance = forms.BooleanField(
        label=gettext_lazy("Refuse organisations with a project overdue for acceptance"), required=False
    )
    max_open_projects_per_organisation = forms.IntegerField(
        label=gettext_lazy("Open projects per organisation"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Projects funded and not yet through acceptance; leave empty for no limit."),
    )

    field_order = [
        "programme",
        "title",
        "year",
        "batch",
        "opens_at",
        "closes_at",
        "budget_yuan",
        "max_request_yuan",
        "tranches",
        "midterm",
        "midterm_months",
        "midterm_checks",
    ]

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        # A call keeps its programme even once that programme is no longer offered.
        active = Programme.objects.filter(active=True).exclude(code=award_services.AWARD_PROGRAMME_CODE)
        field.queryset = active | Programme.objects.filter(pk=programme.pk) if programme else active


class AwardRoundForm(ReviewTermsForm):
    formset_classes = {"levels": LevelFormSet, "criteria": CriterionFormSet}

    def step_data(self) -> dict[str, Any]:
        data = super().step_data()
        data["levels"] = self.rows("levels")
        return data


# --- what a call or round holds, as form values ----------------------------------------------


def _terms_of(call: Call, names: list[str]) -> dict[str, Any]:
    return {name: getattr(call, name) for name in names}


def _criteria_rows(call: Call) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "label": c.label, "weight": c.weight, "max_score": c.max_score, "guidance": c.guidance}
        for c in call.criteria.order_by("position", "id")
    ]


def _level_rows(award_round: Call) -> list[dict[str, Any]]:
    return [
        {"level": lv.level, "quota": lv.quota, "bonus_yuan": lv.bonus_yuan}
        for lv in award_round.levels.order_by("level")
    ]


def _next_year_title(title: str, year: int) -> str:
    """2016年度第一批 → 2017年度第一批: a copied call's title names its own year."""
    return title.replace(str(year), str(year + 1))


def _copy_initial(source: Call, names: list[str]) -> dict[str, Any]:
    initial = _terms_of(source, names)
    initial.update(
        year=source.year + 1, title=_next_year_title(source.title, source.year), opens_at=None, closes_at=None
    )
    return initial


CALL_NAMES = [name for name in CallForm.base_fields if name != "programme"]
ROUND_NAMES = list(AwardRoundForm.base_fields)


# --- lookups --------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    # Setting up the year is staff work; to everyone else these pages do not exist.
    if not is_staff(request.user):
        raise Http404


def _plan_call(pk: int) -> Call:
    return get_object_or_404(Call.objects.select_related("programme"), pk=pk, kind=CallKind.PLAN)


def _award_round(pk: int) -> AwardRound:
    return get_object_or_404(AwardRound.objects.all(), pk=pk)


# --- programmes -----------------------------------------------------------------------------


def programmes(request: HttpRequest) -> HttpResponse:
    """The programmes (计划类别) calls belong to, and a form to add one."""
    _require_staff(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.programme_create(actor=request.user, **data),
            success=_("The programme is added."),
            then=reverse("programmes"),
        )
        if response:
            return response
    rows = Programme.objects.exclude(code=award_services.AWARD_PROGRAMME_CODE).order_by("code")
    return render(request, "pages/calls/programmes.html", {"form": form, "programmes": rows})


# --- calls ----------------------------------------------------------------------------------


def _call_page(request: HttpRequest, form: CallForm, *, call: Call | None = None, **context: Any) -> HttpResponse:
    status = context.pop("status", 200)
    return render(request, "pages/calls/call_form.html", {"form": form, "call": call, **context}, status=status)


def _call_detail_url(call: Call) -> str:
    return reverse("call-detail", args=[call.pk])


def call_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = CallForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.call_setup(actor=request.user, **data),
            success=_("The call is created. You may change it until it opens."),
            then=_call_detail_url,
        )
        if response:
            return response
    return _call_page(request, form)


@require_GET
def call_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new call prefilled from an old one: next year, the dates left for staff to set."""
    _require_staff(request)
    source = _plan_call(pk)
    initial = _copy_initial(source, CALL_NAMES)
    initial["programme"] = source.programme_id
    form = CallForm(initial=initial, rows={"criteria": _criteria_rows(source)}, programme=source.programme)
    return _call_page(request, form, source=source)


def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a call until it opens; afterwards its terms are shown read-only with the reason
    (a POST is refused with 409)."""
    _require_staff(request)
    call = _plan_call(pk)
    initial = {**_terms_of(call, CALL_NAMES), "programme": call.programme_id}
    rows = {"criteria": _criteria_rows(call)}
    locked = app_services.call_editable_conflict(call)
    if locked:
        form = CallForm(initial=initial, rows=rows, programme=call.programme)
        form.disable()
        return _call_page(request, form, call=call, locked=locked, status=409 if request.method == "POST" else 200)
    form = CallForm(request.POST or None, initial=initial, rows=rows, programme=call.programme)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: steps.call_change(call=call, actor=request.user, **data),
            success=_("Changes saved."),
            then=_call_detail_url(call),
        )
        if response:
            return response
    return _call_page(request, form, call=call)


# --- award rounds ------------------------------------------------------------------------------


def _round_page(
    request: HttpRequest, form: AwardRoundForm, *, award_round: Call | None = None, **context: Any
) -> HttpResponse:
    status = context.pop("status", 200)
    return render(
        request, "pages/calls/round_form.html", {"form": form, "round": award_round, **context}, status=status
    )


def _round_url(award_round: Call) -> str:
    return reverse("award-round", args=[award_round.pk])


def round_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = AwardRoundForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: award_services.award_round_create(actor=request.user, **data),
            success=_("The award round is created. You may change it until it opens."),
            then=_round_url,
        )
        if response:
            return response
    return _round_page(request, form)


@require_GET
def round_copy(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    source = _award_round(pk)
    rows = {"criteria": _criteria_rows(source), "levels": _level_rows(source)}
    form = AwardRoundForm(initial=_copy_initial(source, ROUND_NAMES), rows=rows)
    return _round_page(request, form, source=source)


def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    award_round = _award_round(pk)
    initial = _terms_of(award_round, ROUND_NAMES)
    rows = {"criteria": _criteria_rows(award_round), "levels": _level_rows(award_round)}
    locked = app_services.call_editable_conflict(award_round)
    if locked:
        form = AwardRoundForm(initial=initial, rows=rows)
        form.disable()
        status = 409 if request.method == "POST" else 200
        return _round_page(request, form, award_round=award_round, locked=locked, status=status)
    form = AwardRoundForm(request.POST or None, initial=initial, rows=rows)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: award_services.award_round_update(award_round=award_round, actor=request.user, **data),
            success=_("Changes saved."),
            then=_round_url(award_round),
        )
        if response:
            return response
    return _round_page(request, form, award_round=award_round)

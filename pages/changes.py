"""Pages of change requests (项目变更, issue 16.3): the applicant's request form, the request's
page with its approval chain (the decide form only for whoever may act now), and the staff
list of requests with filters and an xlsx export.

Writes go through ``aftergrant.changes`` (asking) and ``workflow.steps.change_decide``
(deciding), which check who may act.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.rules import is_staff
from aftergrant import changes
from aftergrant.enums import BudgetLine, ChangeKind, ChangeStep
from aftergrant.filters import ChangeFilter
from aftergrant.models import ChangeRequest
from core.responses import xlsx_response
from reviews.exports import xlsx_table
from workflow import steps

from .forms import StepForm, TextField
from .views import _own_application, perform

PAGE_SIZE = 25
MONEY_FIELDS = changes.MONEY_FIELDS


# --- the applicant's request ----------------------------------------------------------------------


class ChangeRequestForm(StepForm):
    """One form for every kind (no script needed): the kind's own fields are read, the others
    ignored. Targets are one per line, ``name; unit; value``; the budget is a table of every
    line, filled with the version in force."""

    kind = dj_forms.ChoiceField(label=gettext_lazy("Kind of change"), choices=ChangeKind.choices)
    reason = TextField(label=gettext_lazy("Reason"), max_length=4000, widget=dj_forms.Textarea(attrs={"rows": 3}))
    new_end_date = dj_forms.DateField(
        label=gettext_lazy("New end date"), required=False, widget=dj_forms.DateInput(attrs={"type": "date"})
    )
    new_leader_name = dj_forms.CharField(label=gettext_lazy("New leader's name"), required=False, max_length=100)
    new_leader_title = dj_forms.CharField(label=gettext_lazy("New leader's title"), required=False, max_length=100)
    new_leader_phone = dj_forms.CharField(label=gettext_lazy("New leader's phone"), required=False, max_length=40)
    new_organisation = dj_forms.ModelChoiceField(
        label=gettext_lazy("New undertaking unit"),
        required=False,
        queryset=Organisation.objects.exclude(credit_code="").order_by("name"),
    )
    targets = TextField(
        label=gettext_lazy("New targets"),
        required=False,
        max_length=20000,
        widget=dj_forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("The full new list, one target per line: name; unit; value."),
    )
    spent_yuan = dj_forms.CharField(
        label=gettext_lazy("Eligible spending so far (yuan)"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Termination: the refund owed is the money paid minus this."),
    )

    error_fields = {"new_leader.name": "new_leader_name", "new_leader.phone": "new_leader_phone"}

    def __init__(self, *args: Any, budget: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {b.line: b for b in budget or []}
        self.budget_rows = []
        for line, label in BudgetLine.choices:
            row = []
            for f in MONEY_FIELDS:
                name = f"budget_{line}_{f}"
                initial = getattr(current[line], f) if line in current else Decimal("0.00")
                self.fields[name] = dj_forms.CharField(
                    label=label,
                    required=False,
                    max_length=40,
                    initial=initial,
                    widget=dj_forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
                )
                row.append(self[name])
            self.budget_rows.append((label, row))

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        out: dict[str, Any] = {"kind": kind, "reason": data["reason"]}
        if kind == ChangeKind.EXTENSION:
            out["new_end_date"] = data.get("new_end_date")
        elif kind == ChangeKind.LEADER:
            out["new_leader"] = {k: data.get(f"new_leader_{k}") or "" for k in ("name", "title", "phone")}
        elif kind == ChangeKind.UNIT:
            organisation = data.get("new_organisation")
            out["new_organisation"] = organisation.pk if organisation else None
        elif kind == ChangeKind.TARGETS:
            rows = []
            for line in (data.get("targets") or "").splitlines():
                if not line.strip():
                    continue
                parts = [p.strip() for p in line.replace("；", ";").split(";")]
                name, unit, value = (parts + ["", "", ""])[:3]
                rows.append({"name": name, "unit": unit, "value": value})
            out["targets"] = rows
        elif kind == ChangeKind.BUDGET:
            rows = [
                {"line": line, **{f: (data.get(f"budget_{line}_{f}") or "0").strip() for f in MONEY_FIELDS}}
                for line in BudgetLine.values
            ]
            # A line left at nothing in every column is not part of the budget.
            out["budget"] = [r for r in rows if any(r[f] not in ("", "0", "0.0", "0.00") for f in MONEY_FIELDS)]
        elif kind == ChangeKind.TERMINATION:
            out["spent_yuan"] = data.get("spent_yuan") or ""
        return out


def _targets_text(version: Any) -> str:
    return "\n".join(f"{t.name}; {t.unit}; {t.value}" for t in version.targets.all()) if version else ""


def change_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant asks for a change of their contracted project."""
    application = _own_application(request.user, pk)
    version = changes.version_in_force(application)
    budget = list(version.budget.all()) if version else []
    form = ChangeRequestForm(
        request.POST or None,
        budget=budget,
        initial={"kind": request.GET.get("kind") or ChangeKind.EXTENSION, "targets": _targets_text(version)},
    )
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: changes.change_request_create(application=application, actor=request.user, **data),
            success=_("Change requested. The bureau has been told."),
            then=lambda change: reverse("change-detail", args=[change.pk]),
            back=reverse("application-detail", args=[application.pk]),
            still_open=lambda: True,
        )
        if response:
            return response
    return render(
        request,
        "pages/changes/form.html",
        {"application": application, "version": version, "form": form},
    )


# --- one request --------------------------------------------------------------------------------


class ChangeDecideForm(StepForm):
    approve = dj_forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Approve")), ("0", gettext_lazy("Reject"))],
        coerce=lambda v: v == "1",
        widget=dj_forms.RadioSelect,
    )
    comment = TextField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=4000,
        widget=dj_forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when rejecting."),
    )


def _chain_rows(change: ChangeRequest) -> list[dict[str, Any]]:
    """Each step of the chain with its decision, if made: what the page shows as the chain."""
    decided = {d.step: d for d in change.decisions.all()}
    following = changes.change_next_step(change)
    return [
        {"step": ChangeStep(step).label, "decision": decided.get(step), "current": step == following}
        for step in change.chain
    ]


def _change_page(request: HttpRequest, change: ChangeRequest, form: ChangeDecideForm | None = None) -> HttpResponse:
    may_decide = changes.change_decide_refusal(request.user, change) is None
    current_budget = list(change.base_version.budget.all()) if change.kind == ChangeKind.BUDGET else []
    return render(
        request,
        "pages/changes/detail.html",
        {
            "change": change,
            "application": change.application,
            "chain": _chain_rows(change),
            "form": (form or ChangeDecideForm()) if may_decide else None,
            "current_budget": current_budget,
            "current_targets": list(change.base_version.targets.all()) if change.kind == ChangeKind.TARGETS else [],
            "sees_refund": change.kind == ChangeKind.TERMINATION,
            "new_budget": [
                {**row, "label": BudgetLine(row["line"]).label}
                for row in (change.budget if change.kind == ChangeKind.BUDGET else [])
            ],
        },
    )


def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_page(request, changes.change_for(request.user, pk))


@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = changes.change_for(request.user, pk)
    here = reverse("change-detail", args=[change.pk])
    refusal = changes.change_decide_refusal(request.user, change)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(here)
    form = ChangeDecideForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.change_decide(change=change, actor=request.user, **data),
        success=_("Decision recorded."),
        then=here,
    )
    return response or _change_page(request, change, form)


# --- the staff list -------------------------------------------------------------------------------


def _filtered(params: Any) -> tuple[Any, Any]:
    filterset = ChangeFilter(params, queryset=changes.open_changes())
    return filterset.qs, filterset.form


def _staff_only(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise Http404


def change_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    rows, form = _filtered(request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for change in page:
        following = changes.change_next_step(change)
        change.next_step_label = ChangeStep(following).label if following else ""
    query = urlencode({k: str(v) for k, v in request.GET.items() if k != "page" and v})
    return render(request, "pages/changes/list.html", {"page": page, "filters": form, "query": query})


def change_export(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    rows, _form = _filtered(request.GET)
    headers = [
        _("No."),
        _("Project"),
        _("Organisation"),
        _("Call"),
        _("Kind"),
        _("Status"),
        _("Next step"),
        _("Requested at"),
        _("Reason"),
        _("Amount to refund (yuan)"),
    ]

    def line(n: int, c: ChangeRequest) -> list[Any]:
        following = changes.change_next_step(c)
        return [
            n,
            c.application.title,
            c.application.organisation.name,
            c.application.call.title,
            c.get_kind_display(),
            c.get_status_display(),
            str(ChangeStep(following).label) if following else "",
            f"{c.requested_at:%Y-%m-%d %H:%M}",
            c.reason,
            c.amount_to_refund if c.amount_to_refund is not None else "",
        ]

    table = (line(n, c) for n, c in enumerate(rows.iterator(chunk_size=500), start=1))
    return xlsx_response(xlsx_table(_("Change requests"), headers, table), "change-requests.xlsx")

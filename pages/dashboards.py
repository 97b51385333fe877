"""The home page: one section per role, each showing first what waits for that person.

Every long list on it is a ``Section``: filtered by GET parameters under its own prefix
(``<key>-status``, ``<key>-call``, ``<key>-q``), paginated (``<key>-page``) and exportable
with the same filters (``?export=<key>`` answers an xlsx of every matching row, not one page).
The prefixes let a person with several roles filter one list without resetting another.

Each list is one queryset with its joins and annotations decided up front, so a page costs
the same number of queries whatever the number of rows (tests/test_query_counts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import FilterSet

from accounts.enums import Role
from accounts.rules import has_role, is_finance, is_panel, is_staff
from accounts.selectors import pending_membership_of
from aftergrant.midterm import midterm_overdue, midterm_waiting_check
from aftergrant.selectors import contracts_to_check
from applications.enums import ApplicationStatus
from applications.filters import ItemFilter
from applications.models import Call
from applications.rules import can_apply, closed_before_submission
from core.responses import xlsx_response
from core.typing import StrOrPromise
from core.xlsx import table_bytes
from funding.enums import DisbursementStatus, ObjectionStatus
from funding.filters import DisbursementFilter
from funding.models import Objection
from funding.rules import is_finance_head, is_finance_officer
from integrity.selectors import credit_records_visible_to
from reviews.enums import AssignmentStatus
from reviews.selectors import assignments_of

from . import selectors

S = ApplicationStatus
A = AssignmentStatus
D = DisbursementStatus

PER_PAGE = 20
#: Mid-term reports waiting for the check shown on the staff home page (the oldest first).
MIDTERM_SHOWN = 20
SHORT_LIST = 8  # up to this many rows, a list shows no filter bar
ANY = ""  # the status filter's "nothing chosen": the section's default states
ALL = "all"  # every state, the default ones and the others


# --- the applicant's next step ------------------------------------------------------------------

NEXT_STEP = {
    S.DRAFT: gettext_lazy("Complete and submit it"),
    S.RETURNED: gettext_lazy("Revise it and submit again"),
    S.SUBMITTED: gettext_lazy("Wait for formal review"),
    S.IN_REVIEW: gettext_lazy("Wait for expert review"),
    S.REVIEWED: gettext_lazy("Wait for the panel's decision"),
    S.ACCEPTANCE_SUBMITTED: gettext_lazy("Wait for the acceptance decision"),
}
#: States in which the applicant, not the bureau, has to act.
APPLICANT_ACTS = frozenset({S.DRAFT, S.RETURNED})


def next_step_for_applicant(application: Any) -> str:
    """What the applicant does or waits for next (``contract_open``/``acceptance_open`` are
    annotations of ``selectors.applications_of_applicant``)."""
    if closed_before_submission(application):
        return _("The call closed before it was submitted")
    if application.status in NEXT_STEP:
        return str(NEXT_STEP[application.status])
    if application.status == S.FUNDED:
        if application.contract_open:
            return _("Fill in the task contract")
        if getattr(application, "contract_check_open", False):
            return _("Wait for the bureau to check the task contract")
        return _("Wait for the public notice to close")
    if application.status == S.CONTRACTED:
        if application.acceptance_open:
            return _("Submit the acceptance report")
        if getattr(application, "midterm_open", False):
            return _("Write the mid-term report")
        if getattr(application, "midterm_check_open", False):
            return _("Wait for the mid-term check")
        return _("Wait for the first payment")
    return _("Nothing more to do")


def applicant_must_act(application: Any) -> bool:
    if closed_before_submission(application):
        return False
    return application.status in APPLICANT_ACTS or bool(
        getattr(application, "contract_open", False)
        or getattr(application, "acceptance_open", False)
        or getattr(application, "midterm_open", False)
    )


# --- one filterable, paginated, exportable list --------------------------------------------------


class ListFilterForm(forms.Form):
    """The filters of one list. Unknown or malformed values are ignored, never a 500."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    call = forms.TypedChoiceField(label=gettext_lazy("Call"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        data: Any,
        *,
        prefix: str,
        statuses: Sequence[tuple[str, StrOrPromise]] | None,
        calls: Sequence[tuple[int, str]] | None,
    ) -> None:
        super().__init__(data, prefix=prefix)
        if statuses is None:
            del self.fields["status"]
        else:
            self.fields["status"].choices = list(statuses)  # type: ignore[attr-defined]
        if calls is None:
            del self.fields["call"]
        else:
            self.fields["call"].choices = [("", _("All calls")), *calls]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters; a field with a bad value counts as not filtered."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name in self.cleaned_data}


@dataclass
class Column:
    header: StrOrPromise
    value: Callable[[Any], Any]
    #: an openpyxl number format for the cell, e.g. money
    number_format: str = ""


@dataclass
class Section:
    """One list on the home page."""

    key: str
    title: StrOrPromise
    request: HttpRequest
    queryset: QuerySet[Any]
    columns: list[Column]
    search: tuple[str, ...] = ("title",)
    #: the status filter: its choices, and what "nothing chosen" means
    statuses: Sequence[tuple[str, StrOrPromise]] | None = None
    default_states: Iterable[str] | None = None
    status_field: str = "status"
    #: the call filter: the model path to the call, and the calls to choose from
    call_field: str | None = "call"
    calls: Sequence[tuple[int, str]] | None = None
    empty_text: StrOrPromise = ""
    per_page: int = PER_PAGE
    #: More filters from the API's FilterSet of these rows (the same questions in both):
    #: the class, and which of its filters this list shows (e.g. field, programme, year).
    filterset: type[FilterSet] | None = None
    extra_filters: tuple[str, ...] = ()

    @cached_property
    def extra(self) -> FilterSet | None:
        """The FilterSet with only ``extra_filters``, under this list's prefix. A value that is
        not one of a filter's choices shows its error and is ignored, as the form's are."""
        if self.filterset is None:
            return None
        filterset = self.filterset(self.request.GET, queryset=self.queryset, prefix=self.key)
        filterset.filters = {name: f for name, f in filterset.filters.items() if name in self.extra_filters}
        filterset.is_valid()
        # Read the choices now, not when the bar is drawn: the list costs the same queries
        # whether or not its filter bar shows (the fields' come from a cache).
        for field in filterset.form.fields.values():
            list(getattr(field, "choices", ()))
        return filterset

    @cached_property
    def form(self) -> ListFilterForm:
        return ListFilterForm(
            self.request.GET,
            prefix=self.key,
            statuses=self.statuses,
            calls=self.calls if self.call_field else None,
        )

    @cached_property
    def filtered(self) -> QuerySet[Any]:
        qs = self.queryset
        chosen = self.form.filters()
        status = chosen.get("status") or ANY
        if self.statuses is not None:
            if status == ANY and self.default_states is not None:
                qs = qs.filter(**{f"{self.status_field}__in": list(self.default_states)})
            elif status not in (ANY, ALL):
                qs = qs.filter(**{self.status_field: status})
        if self.call_field and chosen.get("call"):
            qs = qs.filter(**{f"{self.call_field}_id": chosen["call"]})
        text = (chosen.get("q") or "").strip()
        if text:
            match = Q()
            for name in self.search:
                match |= Q(**{f"{name}__icontains": text})
            qs = qs.filter(match)
        if self.extra is not None:
            qs = self.extra.filter_queryset(qs)
        return qs

    @cached_property
    def page(self) -> Page:
        return Paginator(self.filtered, self.per_page).get_page(self.request.GET.get(f"{self.key}-page"))

    @property
    def show_filters(self) -> bool:
        """A short list needs no filter bar (only its export link); a long or filtered one does,
        and so does one filtered by default (the reader must be able to see the other rows)."""
        return self.is_filtered or self.default_states is not None or self.page.paginator.count > SHORT_LIST

    @property
    def is_filtered(self) -> bool:
        return any(self.request.GET.get(f"{self.key}-{name}") for name in ("q", "status", "call", *self.extra_filters))

    def _query(self, **changes: Any) -> str:
        params = self.request.GET.copy()
        params.pop("export", None)
        for name, value in changes.items():
            params.pop(name, None)
            if value is not None:
                params[name] = value
        return "?" + params.urlencode() if params else "?"

    @property
    def kept_params(self) -> list[tuple[str, str]]:
        """The other lists' filters and pages, kept when this list's filter form is sent."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name != "export" and not name.startswith(f"{self.key}-")
            for value in values
        ]

    def page_url(self, number: int) -> str:
        return self._query(**{f"{self.key}-page": number})

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def export_url(self) -> str:
        params = {k: v for k, v in self.request.GET.items() if k.startswith(f"{self.key}-") and k != f"{self.key}-page"}
        return "?" + urlencode({**params, "export": self.key})

    @property
    def reset_url(self) -> str:
        names = ("q", "status", "call", "page", *self.extra_filters)
        return self._query(**{f"{self.key}-{n}": None for n in names})

    def xlsx(self) -> bytes:
        # Written by XlsxWriter row by row (core.xlsx.table_bytes), not through openpyxl's cell
        # objects: a list of 10,000 items takes about a second, not ten (issue 18). A title typed
        # by an applicant (say "=HYPERLINK(...)") stays text.
        return table_bytes(
            self.title,
            [str(c.header) for c in self.columns],
            ([_cell(c.value(row)) for c in self.columns] for row in self.filtered.iterator(chunk_size=500)),
            width=None,
            number_formats=[c.number_format for c in self.columns],
        )


def _cell(value: Any) -> Any:
    """openpyxl writes numbers and text; dates go as the local date, text is never a formula."""
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)):
        return value
    return str(value)  # lazy translations included


MONEY_FORMAT = "#,##0.00"


def _choices(enum: Any, first: tuple[str, StrOrPromise] | None = None) -> list[tuple[str, StrOrPromise]]:
    head = [first] if first else []
    return [*head, (ALL, gettext_lazy("Any status")), *enum.choices]


# --- the sections of each role ----------------------------------------------------------------------


def applicant_sections(request: HttpRequest, calls: Sequence[tuple[int, str]]) -> dict[str, Any]:
    mine = Section(
        key="mine",
        title=gettext_lazy("My applications"),
        request=request,
        queryset=selectors.applications_of_applicant(request.user).order_by("-updated_at", "-id"),
        statuses=[(ANY, gettext_lazy("Any status")), *S.choices],
        calls=calls,
        empty_text=gettext_lazy("You have no applications yet."),
        columns=[
            Column(gettext_lazy("Title"), lambda a: a.title),
            Column(gettext_lazy("Call"), lambda a: a.call.title),
            Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
            Column(gettext_lazy("Next step"), next_step_for_applicant),
            Column(gettext_lazy("Requested (yuan)"), lambda a: a.requested_yuan, MONEY_FORMAT),
            Column(gettext_lazy("Submitted at"), lambda a: a.submitted_at),
        ],
    )
    rows = [(a, next_step_for_applicant(a), applicant_must_act(a)) for a in mine.page]
    return {"mine": mine, "mine_rows": rows, "open_calls": selectors.calls_open().order_by("closes_at")}


def expert_sections(request: HttpRequest, calls: Sequence[tuple[int, str]]) -> dict[str, Any]:
    reviews = Section(
        key="reviews",
        title=gettext_lazy("My reviews"),
        request=request,
        queryset=assignments_of(request.user).order_by("due_at", "id"),
        search=("application__title",),
        statuses=_choices(A, (ANY, gettext_lazy("Waiting for me"))),
        default_states=[A.INVITED, A.ACCEPTED],
        call_field="application__call",
        calls=calls,
        empty_text=gettext_lazy("No review waits for you."),
        columns=[
            Column(gettext_lazy("Item"), lambda a: a.application.title),
            Column(gettext_lazy("Call"), lambda a: a.application.call.title),
            Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
            Column(gettext_lazy("Due"), lambda a: a.due_at),
        ],
    )
    return {"reviews": reviews, "now": timezone.now()}


def staff_sections(request: HttpRequest, calls: Sequence[tuple[int, str]]) -> dict[str, Any]:
    work = Section(
        key="work",
        title=gettext_lazy("Applications"),
        request=request,
        queryset=selectors.applications_submitted().order_by("submitted_at", "id"),
        search=("title", "organisation__name"),
        statuses=_choices(S, (ANY, gettext_lazy("Waiting for the bureau"))),
        default_states=[S.SUBMITTED, S.ACCEPTANCE_SUBMITTED],
        calls=calls,
        filterset=ItemFilter,
        # Not the programme: the call filter answers it, and its choices would cost a query.
        extra_filters=("field", "year", "submitted_after", "submitted_before"),
        empty_text=gettext_lazy("Nothing waits for the bureau."),
        columns=[
            Column(gettext_lazy("Title"), lambda a: a.title),
            Column(gettext_lazy("Organisation"), lambda a: a.organisation.name),
            Column(gettext_lazy("Call"), lambda a: a.call.title),
            Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
            Column(gettext_lazy("Requested (yuan)"), lambda a: a.requested_yuan, MONEY_FORMAT),
            Column(gettext_lazy("Submitted at"), lambda a: a.submitted_at),
        ],
    )
    overdue = Section(
        key="overdue",
        title=gettext_lazy("Overdue reviews"),
        request=request,
        queryset=selectors.assignments_overdue(),
        search=("application__title", "expert__name"),
        call_field="application__call",
        calls=calls,
        empty_text=gettext_lazy("No review is overdue."),
        columns=[
            Column(gettext_lazy("Item"), lambda a: a.application.title),
            Column(gettext_lazy("Call"), lambda a: a.application.call.title),
            Column(gettext_lazy("Expert"), lambda a: a.expert.name),
            Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
            Column(gettext_lazy("Due"), lambda a: a.due_at),
        ],
    )
    progress = Section(
        key="calls",
        title=gettext_lazy("Calls"),
        request=request,
        queryset=selectors.calls_with_counts().order_by("-opens_at", "-id"),
        call_field=None,
        per_page=10,
        empty_text=gettext_lazy("No calls yet."),
        columns=[
            Column(gettext_lazy("Call"), lambda c: c.title),
            Column(gettext_lazy("Submitted"), lambda c: c.n_total),
            Column(gettext_lazy("Formal review"), lambda c: c.n_submitted),
            Column(gettext_lazy("In review"), lambda c: c.n_in_review),
            Column(gettext_lazy("To decide"), lambda c: c.n_reviewed),
            Column(gettext_lazy("Decided"), lambda c: c.n_decided),
            Column(gettext_lazy("Funded"), lambda c: c.n_funded),
        ],
    )
    return {
        "work": work,
        "overdue": overdue,
        "progress": progress,
        "experts": selectors.applications_awaiting_experts(),
        "declined": selectors.declined_slots(),
        "contracts": contracts_to_check(),
        "open_objections": Objection.objects.filter(status=ObjectionStatus.OPEN).count(),
        # The mid-term check (aftergrant): reports waiting for staff, and how many are overdue.
        "midterm_check": list(midterm_waiting_check()[:MIDTERM_SHOWN]),
        "midterm_overdue": midterm_overdue().count(),
    }


def panel_sections(request: HttpRequest, calls: Sequence[tuple[int, str]]) -> dict[str, Any]:
    decide = Section(
        key="decide",
        title=gettext_lazy("Reviewed items to decide"),
        request=request,
        queryset=selectors.applications_to_decide(),
        search=("title", "organisation__name"),
        calls=calls,
        filterset=ItemFilter,
        extra_filters=("field", "year", "submitted_after", "submitted_before"),
        empty_text=gettext_lazy("Nothing waits for a decision."),
        columns=[
            Column(gettext_lazy("Title"), lambda a: a.title),
            Column(gettext_lazy("Organisation"), lambda a: a.organisation.name),
            Column(gettext_lazy("Call"), lambda a: a.call.title),
            Column(gettext_lazy("Mean score"), lambda a: a.mean_total, "0.00"),
            Column(gettext_lazy("Reviews"), lambda a: a.n_reviews),
            Column(gettext_lazy("Requested (yuan)"), lambda a: a.requested_yuan, MONEY_FORMAT),
        ],
    )
    return {"decide": decide}


def finance_sections(request: HttpRequest, calls: Sequence[tuple[int, str]]) -> dict[str, Any]:
    user = request.user
    mine = {D.REQUESTED} if is_finance_officer(user) else set()
    if is_finance_head(user):
        mine.add(D.OFFICER_APPROVED)
    waiting_for = {
        D.REQUESTED: gettext_lazy("Finance officer's approval"),
        D.OFFICER_APPROVED: gettext_lazy("Finance head's approval"),
        D.APPROVED: gettext_lazy("Payment"),
    }
    payments = Section(
        key="payments",
        title=gettext_lazy("Payments waiting"),
        request=request,
        # What waits for this person first, then the rest in the order they were requested.
        queryset=selectors.disbursements_pending()
        .annotate(theirs=Case(When(status__in=list(mine), then=Value(0)), default=Value(1)))
        .order_by("theirs", "requested_at", "id"),
        search=("application__title", "application__organisation__name"),
        statuses=[
            (ANY, gettext_lazy("Waiting (any step)")),
            (D.REQUESTED, D.REQUESTED.label),
            (D.OFFICER_APPROVED, D.OFFICER_APPROVED.label),
            (D.APPROVED, D.APPROVED.label),
        ],
        call_field="application__call",
        calls=calls,
        filterset=DisbursementFilter,
        extra_filters=("year", "tranche", "requested_after", "requested_before"),
        empty_text=gettext_lazy("No payment waits."),
        columns=[
            Column(gettext_lazy("Project"), lambda d: d.application.title),
            Column(gettext_lazy("Organisation"), lambda d: d.application.organisation.name),
            Column(gettext_lazy("Call"), lambda d: d.application.call.title),
            Column(gettext_lazy("Tranche"), lambda d: d.tranche),
            Column(gettext_lazy("Amount (yuan)"), lambda d: d.amount_yuan, MONEY_FORMAT),
            Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
            Column(gettext_lazy("Waiting for"), lambda d: waiting_for.get(d.status, "")),
            Column(gettext_lazy("Requested at"), lambda d: d.requested_at),
        ],
    )
    rows = [(d, waiting_for.get(d.status, ""), d.status in mine) for d in payments.page]
    budget: list[Any] = list(selectors.budget_execution()[:12])  # Calls with granted_yuan, paid_yuan
    chart = [
        {
            "label": c.title,
            "value": c.budget_yuan,
            "part": c.paid_yuan,
            # Short enough to fit beside the bar; the table below has the figures in full.
            "display": f"{(c.paid_yuan * 100 / c.budget_yuan).quantize(Decimal('0.1'))} %" if c.budget_yuan else "—",
        }
        for c in budget
    ]
    return {"payments": payments, "payment_rows": rows, "budget": budget, "budget_chart": chart}


# --- the view ------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """What waits for the caller, role by role; ``?export=<list>`` downloads one list as xlsx."""
    user = request.user
    calls: list[tuple[int, str]] = []
    if user.is_authenticated:
        # One query for the call filter of every list on the page, newest call first.
        calls = list(Call.objects.order_by("-opens_at", "-id").values_list("pk", "title"))
    context: dict[str, Any] = {}
    if can_apply(user):
        context["applicant"] = applicant_sections(request, calls)
    if has_role(user, Role.APPLICANT) and getattr(user, "organisation_id", None) is None:
        # Registered with a known credit code: say why applying is refused until approval.
        context["pending_membership"] = pending_membership_of(user)
    if has_role(user, Role.EXPERT):
        context["expert"] = expert_sections(request, calls)
    if is_staff(user):
        context["staff"] = staff_sections(request, calls)
    if is_panel(user):
        context["panel"] = panel_sections(request, calls)
        context["panel_calls"] = None if is_staff(user) else selectors.calls_with_counts().order_by("-opens_at")[:10]
    if is_finance(user):
        context["finance"] = finance_sections(request, calls)

    export = request.GET.get("export")
    if export:
        for sections in context.values():
            if isinstance(sections, dict) and isinstance(sections.get(export), Section):
                section = sections[export]
                stamp = timezone.localdate().isoformat()
                return xlsx_response(section.xlsx(), f"pingshen-{section.key}-{stamp}.xlsx")
        raise Http404
    if user.is_authenticated and not is_staff(user):
        # The subject sees the records in effect on their organisation or on themselves.
        context["credit_records"] = list(credit_records_visible_to(user).order_by("-created_at", "-id")[:10])
    context["has_role"] = any(k in context for k in ("applicant", "expert", "staff", "panel", "finance"))
    return render(request, "pages/home.html", context)

"""Pages about money: the suggested funding list with its what-if, the call's live budget
panel, the report by programme, and the funding notice as a PDF.

Who sees what: the suggested list and the budget panel are for bureau staff and the panel
(the call page's readers; anyone else gets 404); only the panel applies the list (staff get
403). The programme report is also for finance. The funding notice is for whoever may see
the application (its owner, staff, panel, finance), and only once it was funded.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_finance, is_panel, is_staff
from applications.models import Application, Call
from applications.rules import can_view_application
from core.errors import StateConflict
from core.money import to_wan
from core.params import parse_int
from core.responses import xlsx_response
from funding.documents import funding_notice_pdf
from funding.exports import programme_report_xlsx, suggestion_xlsx
from funding.selectors import call_budget, programme_report, report_years
from funding.suggestions import ZERO, WhatIf, suggest_funding, what_if_from
from workflow.suggestions import suggestions_apply_start

from .templatetags.pingshen import wan

WHAT_IF_FIELDS = ("budget", "cutoff", "fill_gaps")
#: The chart shows the top of the list, where the funding line falls.
CHART_ROWS = 40
#: The table shows the list a page at a time: a county's call lists 10,000 items, and the page
#: drawing them all weighed 9 MB and took seconds (issue 18). The figures above the table, the
#: fingerprint the apply checks and the xlsx download are the whole list's.
PAGE_ROWS = 100


def _call_for_readers(request: HttpRequest, pk: int) -> Call:
    """The call, for staff and the panel; 404 for anyone else (as the call page)."""
    if not (is_staff(request.user) or is_panel(request.user)):
        raise Http404
    return get_object_or_404(Call.objects.select_related("programme"), pk=pk)


def _typed(data: Any) -> dict[str, str]:
    """The what-if inputs as typed, to put back in the form (and into the apply form)."""
    return {
        str(key): str(data.get(key) or "").strip()
        for key in data
        if key in WHAT_IF_FIELDS or str(key).startswith(("cut_", "include_"))
    }


def _read_what_if(data: Any) -> tuple[WhatIf, dict[str, list[str]]]:
    try:
        return what_if_from(data), {}
    except ValidationError as exc:
        # Keep what was readable, so one bad field does not throw away the others.
        errors = exc.message_dict
        return what_if_from({key: data.get(key) for key in data if key not in errors}), errors


# --- the suggested funding list ----------------------------------------------------------------


@require_GET
def call_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for_readers(request, pk)
    typed = _typed(request.GET)
    what_if, errors = _read_what_if(request.GET)
    try:
        suggestion = suggest_funding(call, **what_if.as_kwargs())
    except ValidationError as exc:
        # A cut that names an item not on the list, or above its request: show the list
        # without the cuts, with the reason next to the inputs.
        errors.update(exc.message_dict)
        what_if = WhatIf(budget=what_if.budget, cuts={}, cutoff=what_if.cutoff, fill_gaps=what_if.fill_gaps)
        errors.update({key: msgs for key, msgs in exc.message_dict.items() if key not in errors})
        suggestion = suggest_funding(call, **what_if.as_kwargs())
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("call-detail", pk=call.pk)
    # The cumulative only grows down the list: its last row is its largest.
    scale = max(suggestion.budget_yuan, suggestion.rows[-1].cumulative_yuan if suggestion.rows else ZERO)
    chart = [{"label": _("Budget"), "value": suggestion.budget_yuan, "display": wan(suggestion.budget_yuan)}] + [
        {
            "label": f"{row.rank or '—'}. {row.title}"[:28],
            "value": row.cumulative_yuan,
            "display": wan(row.cumulative_yuan),
            "part": row.cumulative_yuan if row.fits else None,
        }
        for row in suggestion.rows[:CHART_ROWS]
    ]
    page = Paginator(range(len(suggestion.rows)), PAGE_ROWS).get_page(request.GET.get("page"))
    shown = suggestion.rows[page.start_index() - 1 : page.end_index()] if suggestion.rows else []
    rows = [(row, typed.get(f"cut_{row.item}", ""), errors.get(f"cut_{row.item}")) for row in shown]
    # What the panel typed for rows on other pages goes along with this page's form unseen, so
    # recalculating (or applying) here keeps it.
    on_page = {str(row.item) for row in shown}
    carried = {
        name: value
        for name, value in typed.items()
        if name.startswith(("cut_", "include_")) and name.partition("_")[2] not in on_page
    }
    line = suggestion.line_position
    return render(
        request,
        "pages/funding/suggestions.html",
        {
            "call": call,
            "suggestion": suggestion,
            "rows": rows,
            "page": page,
            "carried": carried,
            "line_item": suggestion.rows[line].item if line is not None else None,
            "line_page": line // PAGE_ROWS + 1 if line is not None else None,
            "typed": typed,
            "errors": errors,
            "chart": chart,
            "chart_scale": scale,
            "can_apply": is_panel(request.user) and bool(suggestion.rows) and not errors,
            "query": urlencode(typed),
        },
    )


@require_GET
def call_suggestions_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for_readers(request, pk)
    try:
        suggestion = suggest_funding(call, **what_if_from(request.GET).as_kwargs())
    except (ValidationError, StateConflict):
        suggestion = suggest_funding(call)
    return xlsx_response(suggestion_xlsx(suggestion), f"call-{call.pk}-suggested-list.xlsx")


@require_POST
def call_suggestions_apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for_readers(request, pk)
    if not is_panel(request.user):
        raise PermissionDenied(_("Only the panel decides funding."))
    typed = _typed(request.POST)
    back = reverse("call-suggestions", args=[call.pk]) + ("?" + urlencode(typed) if typed else "")
    try:
        job = suggestions_apply_start(
            call=call,
            actor=request.user,
            expected=str(request.POST.get("expected") or ""),
            what_if=what_if_from(request.POST).as_kwargs(),
            decline_rest=request.POST.get("decline_rest") == "on",
            comment=str(request.POST.get("comment") or "")[:2000],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect(back)
    # The decisions run as a background job; its page shows them go by, then each one.
    return redirect("job-detail", job.pk)


# --- the live budget panel -----------------------------------------------------------------------


def budget_panel_context(call: Call) -> dict[str, Any]:
    budget = call_budget(call)
    chart = [
        {"label": _("Budget"), "value": budget.budget_yuan, "display": wan(budget.budget_yuan)},
        {
            "label": _("Decided"),
            "value": budget.decided_yuan,
            "display": wan(budget.decided_yuan),
            "part": budget.disbursed_yuan,
        },
        {"label": _("Remaining"), "value": max(budget.remaining_yuan, 0), "display": wan(budget.remaining_yuan)},
        {"label": _("Disbursed"), "value": budget.disbursed_yuan, "display": wan(budget.disbursed_yuan)},
    ]
    return {"budget": budget, "budget_chart": chart, "budget_scale": budget.budget_yuan, "as_of": timezone.now()}


@require_GET
def call_budget_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The budget panel's inner HTML, fetched by ``static/js/refresh.js`` every few seconds."""
    call = _call_for_readers(request, pk)
    response = render(request, "pages/funding/_budget_panel.html", budget_panel_context(call))
    response["Cache-Control"] = "no-store"
    return response


# --- report by programme -------------------------------------------------------------------------


def _report_reader(request: HttpRequest) -> None:
    if not (is_staff(request.user) or is_panel(request.user) or is_finance(request.user)):
        raise Http404


def _report_year(request: HttpRequest, years: list[int]) -> int:
    year = parse_int(request.GET.get("year"), digits=4)
    if year is not None:
        return year
    return years[0] if years else timezone.localdate().year


@require_GET
def programme_report_page(request: HttpRequest) -> HttpResponse:
    _report_reader(request)
    years = report_years()
    year = _report_year(request, years)
    report = programme_report(year)
    chart = [
        {
            "label": row.programme.name[:28],
            "value": row.approved_yuan,
            "display": _("%(wan)s / paid %(paid)s") % {"wan": wan(row.approved_yuan), "paid": wan(row.disbursed_yuan)},
            "part": row.disbursed_yuan,
        }
        for row in report.rows
    ]
    return render(
        request,
        "pages/funding/programme_report.html",
        {"report": report, "years": years, "year": year, "chart": chart, "total_wan": to_wan(report.approved_yuan)},
    )


@require_GET
def programme_report_download(request: HttpRequest) -> HttpResponse:
    _report_reader(request)
    year = _report_year(request, report_years())
    return xlsx_response(programme_report_xlsx(programme_report(year)), f"programmes-{year}.xlsx")


# --- the funding notice --------------------------------------------------------------------------


@require_GET
def funding_notice_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The funding notice PDF; 404 for whoever may not see the application, and for an
    application that was not funded (there is no such document to show)."""
    application = Application.objects.select_related("call", "call__programme", "organisation").filter(pk=pk).first()
    if application is None or not can_view_application(request.user, application):
        raise Http404
    try:
        content = funding_notice_pdf(application, language=get_language())
    except StateConflict:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="funding-notice-{application.pk}.pdf"'
    return response

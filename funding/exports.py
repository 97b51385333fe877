"""Spreadsheets people download: the call report and the payment list (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from applications.enums import ApplicationStatus
from core.xlsx import append, sheet_title, table_bytes, workbook_bytes

from .models import Disbursement
from .selectors import CallReport, ProgrammeReport
from .suggestions import Suggestion

MONEY_FORMAT = "#,##0.00"
WAN_FORMAT = "#,##0.0000"


def _bold_header(ws: Any, headers: list[str]) -> None:  # ws: an openpyxl Worksheet (untyped)
    append(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)


def call_report_xlsx(report: CallReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Summary"))
    _bold_header(ws, [_("Item"), _("Value")])
    rows = [
        (_("Call"), report.call.title),
        (_("Applications"), report.applications),
        (_("Submitted"), report.submitted),
        (_("Funded"), report.funded),
        (_("Total approved (yuan)"), report.total_approved_yuan),
        (_("Total approved (10,000 yuan)"), report.total_approved_wan),
        (_("Disbursed (yuan)"), report.disbursed_yuan),
        (_("Budget (yuan)"), report.call.budget_yuan),
        (_("Remaining budget (yuan)"), report.remaining_budget_yuan),
    ]
    for label, value in rows:
        append(ws, [label, value])
    for row in ws.iter_rows(min_row=2):
        if "10,000" in str(row[0].value):
            row[1].number_format = WAN_FORMAT
        elif isinstance(row[1].value, (int,)) is False and not isinstance(row[1].value, str):
            row[1].number_format = MONEY_FORMAT
    status_sheet = wb.create_sheet(sheet_title(_("By status")))
    _bold_header(status_sheet, [_("Status"), _("Code"), _("Applications")])
    for code, count in report.by_status.items():
        append(status_sheet, [str(ApplicationStatus(code).label), code, count])
    return workbook_bytes(wb)


def payment_list_xlsx(disbursements: Iterable[Disbursement]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Payments"))
    _bold_header(
        ws,
        [
            _("Call"),
            _("Project"),
            _("Payee"),
            _("Credit code"),
            _("Bank"),
            _("Bank account"),
            _("Tranche"),
            _("Amount (yuan)"),
            _("Status"),
            _("Voucher"),
        ],
    )
    for d in disbursements:
        org = d.application.organisation
        append(
            ws,
            [
                d.application.call.title,
                d.application.title,
                org.name,
                org.credit_code,
                org.bank_name,
                org.bank_account,
                d.tranche,
                d.amount_yuan,
                str(d.get_status_display()),
                d.voucher,
            ],
        )
        ws.cell(row=ws.max_row, column=8).number_format = MONEY_FORMAT
    return workbook_bytes(wb)


def programme_report_xlsx(report: ProgrammeReport) -> bytes:
    """A year's plan calls by programme, with a total row (figures as numbers, not text)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("By programme"))
    headers = [
        _("Programme"),
        _("Code"),
        _("Calls"),
        _("Budget (yuan)"),
        _("Applications"),
        _("Submitted"),
        _("Funded"),
        _("Approved (yuan)"),
        _("Approved (10,000 yuan)"),
        _("Disbursed (yuan)"),
        _("Disbursed (10,000 yuan)"),
    ]
    _bold_header(ws, headers)
    for row in report.rows:
        append(
            ws,
            [
                row.programme.name,
                row.programme.code,
                row.calls,
                row.budget_yuan,
                row.applications,
                row.submitted,
                row.funded,
                row.approved_yuan,
                row.approved_wan,
                row.disbursed_yuan,
                row.disbursed_wan,
            ],
        )
    append(
        ws,
        [
            _("Total"),
            "",
            report.calls,
            report.budget_yuan,
            report.applications,
            report.submitted,
            report.funded,
            report.approved_yuan,
            report.approved_wan,
            report.disbursed_yuan,
            report.disbursed_wan,
        ],
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for cells in ws.iter_rows(min_row=2):
        for index in (3, 7, 9):
            cells[index].number_format = MONEY_FORMAT
        for index in (8, 10):
            cells[index].number_format = WAN_FORMAT
    return workbook_bytes(wb)


def suggestion_xlsx(suggestion: Suggestion) -> bytes:
    """The suggested funding list as the panel takes it into the meeting: every row, then the
    totals. Written with XlsxWriter (``core.xlsx.table_bytes``): a county's 10,000 rows took
    openpyxl a minute (issue 18)."""
    yes = _("yes")
    rows: list[list[Any]] = [
        [
            row.rank,
            row.item,
            row.title,
            row.organisation,
            row.score,
            yes if row.flagged else "",
            row.requested_yuan,
            row.suggested_yuan,
            row.cumulative_yuan,
            row.outcome_label,
        ]
        for row in suggestion.rows
    ]
    rows.append([])
    for label, value in (
        (_("Budget (yuan)"), suggestion.budget_yuan),
        (_("Already decided (yuan)"), suggestion.decided_yuan),
        (_("Suggested now (yuan)"), suggestion.suggested_yuan),
        (_("Remaining (yuan)"), suggestion.remaining_yuan),
    ):
        rows.append([None, None, str(label), None, None, None, None, value])
    headers = [
        _("Rank"),
        _("Application"),
        _("Project"),
        _("Unit"),
        _("Score"),
        _("Reviews disagree"),
        _("Requested (yuan)"),
        _("Suggested (yuan)"),
        _("Cumulative (yuan)"),
        _("Outcome"),
    ]
    money = ("", "", "", "", "", "", MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, "")
    return table_bytes(_("Suggested list"), headers, rows, number_formats=money)

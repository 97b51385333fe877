"""Spreadsheets people download: the call report and the payment list (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from applications.enums import ApplicationStatus

from .models import Disbursement
from .selectors import CallReport

MONEY_FORMAT = "#,##0.00"
WAN_FORMAT = "#,##0.0000"


def _bold_header(ws: Any, headers: list[str]) -> None:  # ws: an openpyxl Worksheet (untyped)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)


def call_report_xlsx(report: CallReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
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
        ws.append([label, value])
    for row in ws.iter_rows(min_row=2):
        if "10,000" in str(row[0].value):
            row[1].number_format = WAN_FORMAT
        elif isinstance(row[1].value, (int,)) is False and not isinstance(row[1].value, str):
            row[1].number_format = MONEY_FORMAT
    status_sheet = wb.create_sheet(_("By status")[:31])
    _bold_header(status_sheet, [_("Status"), _("Code"), _("Applications")])
    for code, count in report.by_status.items():
        status_sheet.append([str(ApplicationStatus(code).label), code, count])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def payment_list_xlsx(disbursements: Iterable[Disbursement]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Payments")[:31]
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
        ws.append(
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
            ]
        )
        ws.cell(row=ws.max_row, column=8).number_format = MONEY_FORMAT
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

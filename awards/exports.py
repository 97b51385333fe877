"""The award round report as a spreadsheet (openpyxl), for the pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.xlsx import append, sheet_title, workbook_bytes

from .services import RoundReport

MONEY_FORMAT = "#,##0.00"


def round_report_xlsx(report: RoundReport) -> bytes:
    """One row per level (quota, awarded, bonus, total) and a total row that adds them up."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Awards"))
    append(ws, [report.award_round.title])
    append(ws, [_("Level"), _("Quota"), _("Awarded"), _("Bonus (yuan)"), _("Total (yuan)")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in report.levels:
        append(ws, [row.level, row.quota, row.count, row.bonus_yuan, row.total_yuan])
    append(ws, [_("Total"), None, report.count, None, report.total_yuan])
    append(ws, [_("Bonuses requested (yuan)"), None, None, None, report.requested_yuan])
    append(ws, [_("Bonuses paid (yuan)"), None, None, None, report.paid_yuan])
    for row_cells in ws.iter_rows(min_row=3):
        for cell in row_cells[3:5]:
            cell.number_format = MONEY_FORMAT
    return workbook_bytes(wb)

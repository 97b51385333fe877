"""Spreadsheets of the expert pool, its import report and a call's ranking (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.xlsx import append, sheet_title, workbook_bytes


def xlsx_table(title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row, then the rows. Text is always written as text, so a
    name typed as ``=HYPERLINK(…)`` stays a name and never becomes a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title(title)
    append(sheet, [str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append(sheet, row)
    for index in range(len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 18
    return workbook_bytes(workbook)

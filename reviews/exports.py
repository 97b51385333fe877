"""Spreadsheets of the expert pool, its import report and a call's ranking (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def xlsx_table(title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row, then the rows. Text is always written as text, so a
    name typed as ``=HYPERLINK(…)`` stays a name and never becomes a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(title)[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"
            else:
                cell.value = value
    for index in range(len(headers)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

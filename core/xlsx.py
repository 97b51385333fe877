"""Writing spreadsheets people download, safely whatever the text in them.

Every text cell of every export goes through :func:`append` (or :func:`text_cell`):

- it is written as text, so a title typed as ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0``
  stays a title and never becomes a formula in the bureau's spreadsheet program;
- control characters that the xlsx format cannot hold (openpyxl raises
  ``IllegalCharacterError`` on them: a 500 for the whole export) are dropped.

Sheet titles get :func:`sheet_title` (Excel refuses ``[]:*?/\\`` and more than 31
characters; openpyxl raises on them). :func:`workbook_bytes` saves, turning any formula that
slipped in as a string back into text on the way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

_BAD_TITLE = re.compile(r"[\\/*?:\[\]]")


def clean_text(value: str) -> str:
    """``value`` without the control characters an xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def text_cell(ws: Any, value: Any) -> Any:
    """A cell for ``value``: text always as text (never a formula), other values as they are."""
    if not isinstance(value, str):
        return value
    cell = Cell(ws, value=clean_text(value))
    cell.data_type = "s"
    return cell


def append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)``, with every text value written as plain text."""
    ws.append([text_cell(ws, value) for value in values])


def sheet_title(title: Any) -> str:
    """A title Excel and openpyxl accept: no ``[]:*?/\\``, no quote at either end, ≤ 31 characters."""
    text = _BAD_TITLE.sub(" ", clean_text(str(title))).strip().strip("'").strip()
    return text[:31] or "Sheet"


def workbook_bytes(wb: Any) -> bytes:
    """The workbook's bytes; any string cell that would be read as a formula is kept as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- one plain table, fast ---------------------------------------------------------------------
#
# openpyxl writes each cell through its element serialiser (without lxml, pure Python): about
# 0.4 ms a cell, so 10 s for 10,000 experts × 12 columns (issue 18). ``table_bytes`` writes the
# same sheet with XlsxWriter, a writer made for large sheets: in ``constant_memory`` mode each
# row goes to a temporary file as soon as the next one starts, text as inline strings.


def table_bytes(
    title: Any,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    width: int | None = 18,
    number_formats: Sequence[str] = (),
) -> bytes:
    """One sheet named ``title``: a bold header row, then ``rows``; every column ``width`` wide
    (None: the program's default). Text stays text (``write_string``, and the workbook told
    not to turn strings into formulas, links or numbers: ``=HYPERLINK(…)`` is never a formula),
    without the control characters xlsx cannot hold; numbers and booleans are values; None is
    an empty cell. ``number_formats`` gives, per column, a number format for its cells below
    the header ("" for none), e.g. ``#,##0.00`` for money."""
    out = BytesIO()
    # constant_memory streams rows through temp files; in_memory would switch it off.
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(sheet_title(title))
    columns = max(len(headers), 1)
    if width:
        # Pixels, so the file holds the width ``width`` itself (set_column would add padding).
        sheet.set_column_pixels(0, columns - 1, width * 7)
    bold = workbook.add_format({"bold": True})
    by_code = {code: workbook.add_format({"num_format": code}) for code in set(number_formats) if code}
    styles = [by_code.get(code) for code in number_formats]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, clean_text(str(header)), bold)
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            style = styles[col] if col < len(styles) else None
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value, style)
            elif isinstance(value, (int, float, Decimal)) and math.isfinite(value):
                sheet.write_number(row, col, value, style)
            else:
                sheet.write_string(row, col, clean_text(str(value)), style)
    workbook.close()
    return out.getvalue()

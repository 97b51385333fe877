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

import re
from collections.abc import Iterable
from io import BytesIO
from typing import Any

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

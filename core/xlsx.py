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
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
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


# --- one plain table, fast ---------------------------------------------------------------------
#
# openpyxl writes each cell through its element serialiser (without lxml, pure Python): about
# 0.4 ms a cell, so 10 s for 10,000 experts × 12 columns (issue 18). ``table_bytes`` writes the
# same sheet (a bold header row, then the rows, columns 18 wide) as XML text directly: text as
# inline strings (never a formula), numbers and booleans as values, None left out.

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>'
)


def _styles(formats: Sequence[str]) -> str:
    """Style 0 plain, 1 the bold header, then one per number format (ids from 164, custom)."""
    numfmts = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{code.translate(_ESCAPE)}"/>' for i, code in enumerate(formats)
    )
    xfs = "".join(
        f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for i in range(len(formats))
    )
    return (
        _XML
        + f'<styleSheet xmlns="{_NS}">'
        + (f'<numFmts count="{len(formats)}">{numfmts}</numFmts>' if formats else "")
        + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b val="1"/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{2 + len(formats)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Any, style: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    text = clean_text(str(value)).translate(_ESCAPE)
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def table_bytes(
    title: Any,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    width: int | None = 18,
    number_formats: Sequence[str] = (),
) -> bytes:
    """One sheet named ``title``: a bold header row, then ``rows``; every column ``width`` wide
    (None: the program's default). Text stays text (an inline string: ``=HYPERLINK(…)`` is never
    a formula), without the control characters xlsx cannot hold; numbers and booleans are
    values; None is an empty cell. ``number_formats`` gives, per column, a number format for
    its cells below the header ("" for none), e.g. ``#,##0.00`` for money."""
    columns = max(len(headers), 1)
    letters = [_column(i) for i in range(columns)]
    formats = sorted({f for f in number_formats if f})
    column_styles = [f' s="{2 + formats.index(f)}"' if f else "" for f in number_formats]

    def row_xml(number: int, values: Sequence[Any], style: str | None = None) -> str:
        while len(letters) < len(values):
            letters.append(_column(len(letters)))
        cells = "".join(
            _cell(
                f"{letters[i]}{number}",
                v,
                style if style is not None else (column_styles[i] if i < len(column_styles) else ""),
            )
            for i, v in enumerate(values)
        )
        return f'<row r="{number}">{cells}</row>'

    parts = [
        _XML,
        f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}"><sheetFormatPr defaultRowHeight="15"/>',
        f'<cols><col min="1" max="{columns}" width="{width}" customWidth="1"/></cols>' if width else "",
        "<sheetData>",
        row_xml(1, [str(h) for h in headers], ' s="1"'),
    ]
    parts.extend(row_xml(number, row) for number, row in enumerate(rows, start=2))
    parts.append("</sheetData></worksheet>")
    name = sheet_title(title).translate(_ESCAPE)
    workbook = (
        _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _styles(formats))
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return out.getvalue()

"""The recommendation summary table (推荐汇总表, xlsx) and the recommendation letter (推荐函,
PDF) of a higher-level call, drawn with the same machinery as the call report and the
funding notice."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from applications.enums import ApplicationStatus
from applications.selectors import field_name
from core.xlsx import append, sheet_title, workbook_bytes
from funding.documents import bureau_name, document_signature, money_text, pdf_styles, pdf_table
from funding.exports import MONEY_FORMAT

from .models import UpperCall
from .selectors import upper_call_items

S = ApplicationStatus


def _recommended(upper: UpperCall) -> list[Any]:
    return [a for a in upper_call_items(upper) if getattr(getattr(a, "recommendation", None), "recommended", False)]


def recommendation_summary_xlsx(upper: UpperCall) -> bytes:
    """序号, unit, project, field, requested, status, recommended, outcome — every submitted
    item of the call, the recommended first."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Recommendation summary"))
    headers = [
        _("No."),
        _("Unit"),
        _("Project"),
        _("Field"),
        _("Requested (yuan)"),
        _("Status"),
        _("Recommended"),
        _("Higher-level funds (yuan)"),
        _("County matching funds (yuan)"),
    ]
    append(ws, [upper.call.title])
    append(ws, headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    items = sorted(
        upper_call_items(upper),
        key=lambda a: (not getattr(getattr(a, "recommendation", None), "recommended", False), a.pk),
    )
    for n, a in enumerate(items, 1):
        rec = getattr(a, "recommendation", None)
        outcome = getattr(a, "upper_outcome", None)
        append(
            ws,
            [
                n,
                a.organisation.name,
                a.title,
                field_name(a.field),
                a.requested_yuan,
                str(S(a.status).label),
                _("Yes") if rec is not None and rec.recommended else (_("No") if rec is not None else ""),
                outcome.upper_yuan if outcome is not None else None,
                outcome.matching_yuan if outcome is not None else None,
            ],
        )
    for row in ws.iter_rows(min_row=3):
        for index in (4, 7, 8):
            row[index].number_format = MONEY_FORMAT
    return workbook_bytes(wb)


def recommendation_letter_pdf(upper: UpperCall, *, language: str | None = None) -> bytes:
    """推荐函: the bureau recommends the listed items to the higher-level call, within its quota."""
    with translation.override(language or translation.get_language()):
        st = pdf_styles()
        call = upper.call

        def p(text: Any, style: str = "cell") -> Paragraph:
            return Paragraph(escape(str(text)), st[style])

        items = _recommended(upper)
        story: list[Any] = [
            p(bureau_name(), "sub"),
            p(_("Recommendation letter"), "title"),
            Spacer(1, 8 * mm),
            p(
                _(
                    "Following formal review and, where the applications exceeded the quota, expert ranking, "
                    "the bureau recommends the following %(n)s projects (quota %(quota)s) to “%(call)s” (%(level)s)."
                )
                % {"n": len(items), "quota": upper.quota, "call": call.title, "level": upper.get_level_display()},
                "body",
            ),
            Spacer(1, 5 * mm),
        ]
        rows: list[list[Any]] = [[p(_("No.")), p(_("Unit")), p(_("Project")), p(_("Requested (yuan)"))]]
        for n, a in enumerate(items, 1):
            rows.append([p(n), p(a.organisation.name), p(a.title), p(money_text(a.requested_yuan))])
        story.append(pdf_table(rows, [14 * mm, 52 * mm, 66 * mm, 30 * mm], header=True))
        story += [Spacer(1, 8 * mm), document_signature(st, timezone.localdate())]
        out = BytesIO()
        SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=24 * mm,
            rightMargin=24 * mm,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Recommendation letter"),
            author=bureau_name(),
        ).build(story)
        return out.getvalue()

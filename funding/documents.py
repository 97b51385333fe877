"""Printable PDF documents: the funding notice (立项通知书) and the award certificate (荣誉证书).

Drawn with reportlab. Chinese needs no font file: reportlab ships the Adobe CID font
``STSong-Light``, which every PDF reader has (Asian font pack), and it covers the Latin letters
and digits too, so one font serves both languages. The text follows the language passed in
(the requester's, via ``translation.override``); names, titles and amounts are the records'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from applications.enums import ApplicationStatus, ItemKind
from applications.models import Application
from core.errors import StateConflict
from core.money import to_wan, yuan

from .enums import DisbursementStatus
from .models import FundingDecision, Notice
from .selectors import on_closed_notice
from .services import tranche_amount  # the same split the disbursements use

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

LEVEL_NAMES = {
    1: gettext_lazy("First prize"),
    2: gettext_lazy("Second prize"),
    3: gettext_lazy("Third prize"),
}


def money_text(amount: Decimal) -> str:
    """18472425 → 18,472,425.00"""
    return f"{yuan(amount):,.2f}"


def wan_text(amount: Decimal) -> str:
    """18472425 → 1847.2425"""
    return f"{to_wan(amount):f}"


def date_text(day: dt.date) -> str:
    if (translation.get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def bureau_name() -> str:
    """The deployment's bureau (``PINGSHEN_AUTHORITY_NAME``), else a generic name."""
    return settings.PINGSHEN_AUTHORITY_NAME or _("County Science & Technology Bureau")


def _signature(st: dict[str, ParagraphStyle], day: dt.date) -> Table:
    """The bureau's name and the date beside the square where it stamps its seal (盖章)."""
    seal = ParagraphStyle("seal", parent=st["sub"], textColor=colors.grey)
    block = Table(
        [
            [
                [Paragraph(escape(bureau_name()), st["right"]), Paragraph(escape(date_text(day)), st["right"])],
                Paragraph(escape(_("(seal)")), seal),
            ]
        ],
        colWidths=[70 * mm, 32 * mm],
        rowHeights=[32 * mm],
        hAlign="RIGHT",
    )
    block.setStyle(
        TableStyle(
            [
                ("BOX", (1, 0), (1, 0), 0.8, colors.Color(0.65, 0.1, 0.1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ]
        )
    )
    return block


def document_number_of(application: Application) -> str:
    """The 文号 of the notice that announced the funding (永科〔2016〕12号); until the
    decision is on a numbered notice, the project's own reference (year-batch-item)."""
    notice = application.notices.filter(document_seq__isnull=False).order_by("published_at").first()
    if notice is not None:
        return notice.document_number
    call = application.call
    return f"{call.year}-{call.batch:02d}-{application.pk:05d}"


def pdf_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11.5, leading=19, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, alignment=TA_CENTER, textColor=colors.grey),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def pdf_table(rows: list[list[Any]], widths: list[float], *, header: bool) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)))
    table.setStyle(TableStyle(style))
    return table


def _tranche_when(index: int, count: int) -> str:
    if index == 1:
        return _("on signing the task contract")
    if index == count:
        return _("after acceptance passes")
    return _("after the mid-term check")


def funding_decision_of(application: Application) -> FundingDecision:
    """The application's funding decision, if it was funded and its public notice has closed;
    else ``StateConflict`` (409)."""
    decision = FundingDecision.objects.filter(application=application, fund=True).first()
    if decision is None or not application.approved_yuan or application.kind != ItemKind.APPLICATION:
        raise StateConflict(_("This application was not funded, so there is no funding notice."))
    if not on_closed_notice(application):
        raise StateConflict(_("The funding notice is issued once the public notice has closed."))
    return decision


def funding_notice_pdf(application: Application, *, language: str | None = None) -> bytes:
    """立项通知书: project, unit, call, approved amount in yuan and 万元, the tranche plan with
    its amounts, the date and the bureau. ``StateConflict`` when the item was not funded."""
    with translation.override(language or translation.get_language()):
        decision = funding_decision_of(application)
        call = application.call
        approved = yuan(application.approved_yuan or 0)
        st = pdf_styles()
        paid = {
            d.tranche: d
            for d in application.disbursements.exclude(status=DisbursementStatus.REJECTED).order_by("tranche", "id")
        }

        def p(text: Any, style: str = "cell") -> Paragraph:
            return Paragraph(escape(str(text)), st[style])

        number = document_number_of(application)
        story: list[Any] = [
            p(bureau_name(), "sub"),
            p(_("Funding notice"), "title"),
            p(number, "sub"),
            Spacer(1, 8 * mm),
            p(_("To: %(unit)s") % {"unit": application.organisation.name}, "body"),
            Spacer(1, 3 * mm),
            p(
                _(
                    "After formal review, expert review, the panel's decision and public notice, your project "
                    "“%(title)s” under “%(call)s” is approved for funding of %(yuan)s yuan (%(wan)s 10k yuan). "
                    "Please sign the task contract and carry out the project as planned."
                )
                % {
                    "title": application.title,
                    "call": call.title,
                    "yuan": money_text(approved),
                    "wan": wan_text(approved),
                },
                "body",
            ),
            Spacer(1, 5 * mm),
        ]
        facts = [
            [p(_("Project")), p(application.title)],
            [p(_("Unit")), p(application.organisation.name)],
            [p(_("Programme")), p(call.programme.name)],
            [p(_("Call")), p(call.title)],
            [p(_("Requested (yuan)")), p(money_text(application.requested_yuan))],
            [p(_("Approved (yuan)")), p(money_text(approved))],
            [p(_("Approved (10k yuan)")), p(wan_text(approved))],
            [p(_("Decided on")), p(date_text(timezone.localdate(decision.decided_at)))],
        ]
        if application.start_date and application.end_date:
            facts.append(
                [p(_("Project period")), p(f"{date_text(application.start_date)} – {date_text(application.end_date)}")]
            )
        story.append(pdf_table(facts, [42 * mm, 120 * mm], header=False))
        story += [Spacer(1, 6 * mm), p(_("Tranche plan"), "body"), Spacer(1, 2 * mm)]
        plan: list[int] = list(call.tranches or [100])
        rows: list[list[Any]] = [[p(_("Tranche")), p(_("Share")), p(_("Amount (yuan)")), p(_("When")), p(_("Status"))]]
        for index, percent in enumerate(plan, 1):
            d = paid.get(index)
            rows.append(
                [
                    p(index),
                    p(f"{percent}%"),
                    p(money_text(tranche_amount(application, index))),
                    p(_tranche_when(index, len(plan))),
                    p(d.get_status_display() if d else _("not yet requested")),
                ]
            )
        rows.append([p(_("Total")), p("100%"), p(money_text(approved)), p(""), p("")])
        story.append(pdf_table(rows, [18 * mm, 18 * mm, 36 * mm, 56 * mm, 34 * mm], header=True))
        story += [Spacer(1, 8 * mm), _signature(st, timezone.localdate())]
        out = BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=24 * mm,
            rightMargin=24 * mm,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Funding notice") + f" {number}",
            author=bureau_name(),
        )
        doc.build(story)
        return out.getvalue()


def _person_name(person: Any) -> str:
    if isinstance(person, dict):
        return str(person.get("name") or "")
    return str(person)


def award_certificate_pdf(
    *,
    year: int,
    title: str,
    level: int,
    units: Iterable[Any],
    persons: Iterable[Any],
    bonus_yuan: Decimal,
    issued_on: dt.date,
    language: str | None = None,
) -> bytes:
    """荣誉证书, A4 landscape: the achievement, its level, the completing units and persons, the
    bonus in yuan and 万元, the date and the bureau."""
    with translation.override(language or translation.get_language()):
        width, height = landscape(A4)
        out = BytesIO()
        canvas = Canvas(out, pagesize=(width, height))
        canvas.setTitle(_("Certificate of honour"))
        canvas.setAuthor(bureau_name())
        # A double frame, as printed certificates have.
        canvas.setStrokeColor(colors.Color(0.65, 0.1, 0.1))
        canvas.setLineWidth(3)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.setLineWidth(1)
        canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

        canvas.setFillColor(colors.Color(0.65, 0.1, 0.1))
        canvas.setFont(FONT, 40)
        canvas.drawCentredString(width / 2, height - 48 * mm, _("Certificate of honour"))
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, 15)
        level_name = str(LEVEL_NAMES.get(level, _("Level %(level)s prize") % {"level": level}))
        canvas.drawCentredString(
            width / 2,
            height - 64 * mm,
            _("%(year)s S&T Progress Award — %(level)s") % {"year": year, "level": level_name},
        )
        st = ParagraphStyle("cert", fontName=FONT, fontSize=14, leading=24, alignment=TA_CENTER, wordWrap="CJK")
        unit_names = "、".join(str(u) for u in units) if _zh() else ", ".join(str(u) for u in units)
        person_names = (
            "、".join(_person_name(x) for x in persons) if _zh() else ", ".join(_person_name(x) for x in persons)
        )
        bonus = yuan(bonus_yuan)
        lines = [
            _("Achievement: %(title)s") % {"title": title},
            _("Completing units: %(units)s") % {"units": unit_names or "—"},
            _("Completed by: %(persons)s") % {"persons": person_names or "—"},
            _("Bonus: %(yuan)s yuan (%(wan)s 10k yuan)") % {"yuan": money_text(bonus), "wan": wan_text(bonus)},
        ]
        y = height - 82 * mm
        for line in lines:
            para = Paragraph(escape(line), st)
            _w, h = para.wrap(width - 70 * mm, height)
            para.drawOn(canvas, 35 * mm, y - h)
            y -= h + 3 * mm
        canvas.setFont(FONT, 14)
        canvas.drawRightString(width - 40 * mm, 42 * mm, bureau_name())
        canvas.drawRightString(width - 40 * mm, 33 * mm, date_text(issued_on))
        canvas.showPage()
        canvas.save()
        return out.getvalue()


#: A nomination has its certificate once the award is granted: when the round's notice closed.
CERTIFIED_STATES = frozenset({ApplicationStatus.GRANTED, ApplicationStatus.CLOSED})


def nomination_certificate_pdf(nomination: Application, *, language: str | None = None) -> bytes:
    """The certificate of an awarded nomination, dated the day the round's notice closed;
    ``StateConflict`` (409) before the notice closed or when it won no award."""
    decision = FundingDecision.objects.filter(application=nomination).first()
    if nomination.kind != ItemKind.NOMINATION or decision is None or decision.level is None:
        raise StateConflict(_("This nomination won no award, so there is no certificate."))
    if nomination.status not in CERTIFIED_STATES or not on_closed_notice(nomination):
        raise StateConflict(_("The certificate is issued once the public notice has closed."))
    closed = (
        Notice.objects.filter(applications=nomination, closed_at__isnull=False)
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )
    return award_certificate_pdf(
        year=nomination.call.year,
        title=nomination.title,
        level=decision.level,
        units=nomination.units or [],
        persons=nomination.persons or [],
        bonus_yuan=decision.approved_yuan,
        issued_on=timezone.localdate(closed) if closed else timezone.localdate(),
        language=language,
    )


def _zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


#: The bureau's signature and seal square, which the upward recommendation letter shares.
document_signature = _signature

"""The task contract (科技计划项目任务书) as a PDF, drawn with the funding notice's machinery
(``funding.documents``: the CJK font, styles, tables, the bureau's name)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from applications.models import Application
from core.errors import StateConflict
from core.money import yuan
from funding.documents import (
    bureau_name,
    date_text,
    document_number_of,
    money_text,
    pdf_styles,
    pdf_table,
    wan_text,
)

from .enums import ContractStatus
from .models import ContractVersion
from .selectors import contract_in_force, contract_version


def contract_for_document(application: Application, number: int | None = None) -> ContractVersion:
    """The version to print: the one in force, or an earlier one by number; ``StateConflict``
    (409) while no contract is in force (a draft being checked is not a contract yet)."""
    version = contract_in_force(application) if number is None else contract_version(application, number)
    if version is None:
        raise StateConflict(_("The task contract exists once the bureau has accepted it."))
    return version


def _sign_areas(st: dict[str, Any], application: Application, version: ContractVersion) -> Table:
    """Two sign areas side by side: 甲方 the bureau, 乙方 the undertaking unit, each with a
    line for the signature, a square for the seal and the date."""
    day = timezone.localdate(version.in_force_at) if version.in_force_at else None

    def area(party: str, name: str) -> list[Any]:
        return [
            Paragraph(escape(party), st["cell"]),
            Paragraph(escape(name), st["cell"]),
            Spacer(1, 10 * mm),
            Paragraph(escape(_("Representative (signature):")) + " ____________", st["cell"]),
            Paragraph(escape(_("(seal)")), st["sub"]),
            Paragraph(escape(_("Date: %(date)s") % {"date": date_text(day) if day else "____"}), st["cell"]),
        ]

    table = Table(
        [
            [
                area(_("Party A (the bureau)"), bureau_name()),
                area(_("Party B (the undertaking unit)"), application.organisation.name),
            ]
        ],
        colWidths=[81 * mm, 81 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 0), 0.5, colors.grey),
                ("BOX", (1, 0), (1, 0), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def contract_pdf(application: Application, *, number: int | None = None, language: str | None = None) -> bytes:
    """任务书: the project and both parties, the period and the grant, the assessment targets,
    the budget by line and source with totals, the milestones, and the two sign areas.
    ``StateConflict`` until a version is in force."""
    with translation.override(language or translation.get_language()):
        version = contract_for_document(application, number)
        st = pdf_styles()

        def p(text: Any, style: str = "cell") -> Paragraph:
            return Paragraph(escape(str(text)), st[style])

        approved = yuan(application.approved_yuan or 0)
        reference = document_number_of(application)
        story: list[Any] = [
            p(bureau_name(), "sub"),
            p(_("Task contract"), "title"),
            p(
                _("%(reference)s · version %(n)s") % {"reference": reference, "n": version.number}
                + ("" if version.status == ContractStatus.IN_FORCE else " · " + _("superseded")),
                "sub",
            ),
            Spacer(1, 6 * mm),
        ]
        facts = [
            [p(_("Project")), p(application.title)],
            [p(_("Call")), p(application.call.title)],
            [p(_("Party A (the bureau)")), p(bureau_name())],
            [p(_("Party B (the undertaking unit)")), p(application.organisation.name)],
            [p(_("Project period")), p(f"{date_text(version.starts_on)} – {date_text(version.ends_on)}")],
            [
                p(_("County grant")),
                p(_("%(yuan)s yuan (%(wan)s 10k yuan)") % {"yuan": money_text(approved), "wan": wan_text(approved)}),
            ],
        ]
        story.append(pdf_table(facts, [42 * mm, 120 * mm], header=False))

        story += [Spacer(1, 5 * mm), p(_("Assessment targets"), "body"), Spacer(1, 2 * mm)]
        rows: list[list[Any]] = [[p(_("No.")), p(_("Target")), p(_("Unit")), p(_("Target value"))]]
        rows += [[p(t.position), p(t.name), p(t.unit), p(f"{t.value:f}")] for t in version.targets.all()]
        story.append(pdf_table(rows, [14 * mm, 88 * mm, 26 * mm, 34 * mm], header=True))

        story += [Spacer(1, 5 * mm), p(_("Budget (yuan)"), "body"), Spacer(1, 2 * mm)]
        rows = [[p(_("Budget line")), p(_("County grant")), p(_("Own funds")), p(_("Other sources")), p(_("Total"))]]
        totals = [yuan(0), yuan(0), yuan(0)]
        for line in version.budget.all():
            amounts = [line.county_yuan, line.own_yuan, line.other_yuan]
            totals = [a + b for a, b in zip(totals, amounts, strict=True)]
            rows.append(
                [p(line.get_line_display()), *(p(money_text(a)) for a in amounts), p(money_text(sum(amounts, yuan(0))))]
            )
        rows.append([p(_("Total")), *(p(money_text(a)) for a in totals), p(money_text(sum(totals, yuan(0))))])
        story.append(pdf_table(rows, [38 * mm, 31 * mm, 31 * mm, 31 * mm, 31 * mm], header=True))

        story += [Spacer(1, 5 * mm), p(_("Milestones"), "body"), Spacer(1, 2 * mm)]
        rows = [[p(_("Due")), p(_("Milestone"))]]
        rows += [[p(date_text(m.due_on)), p(m.name)] for m in version.milestones.all()]
        if len(rows) == 1:
            rows.append([p("—"), p("—")])
        story.append(pdf_table(rows, [40 * mm, 122 * mm], header=True))

        story += [
            Spacer(1, 5 * mm),
            p(
                _(
                    "Party B carries out the project as set out above, uses the grant only for the budget lines "
                    "above and reports at the mid-term check and at acceptance; Party A pays the grant in the "
                    "tranches of the call. Changes need Party A's approval and make a new version of this contract."
                ),
                "body",
            ),
            Spacer(1, 8 * mm),
            _sign_areas(st, application, version),
        ]
        out = BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=24 * mm,
            rightMargin=24 * mm,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Task contract") + f" {reference} v{version.number}",
            author=bureau_name(),
        )
        doc.build(story)
        return out.getvalue()


def acceptance_certificate_facts(application: Application) -> tuple[Any, Any]:
    """The passed acceptance report and the closed acceptance notice that published it, or
    ``StateConflict`` (409): the certificate (验收证书) exists once acceptance passed and its
    public notice closed."""
    from funding.enums import AcceptanceResult
    from funding.models import AcceptanceReport

    report = (
        AcceptanceReport.objects.filter(
            application=application, result=AcceptanceResult.PASS, notice__closed_at__isnull=False
        )
        .select_related("notice")
        .order_by("-decided_at", "-id")
        .first()
    )
    if report is None:
        raise StateConflict(
            _("The acceptance certificate is issued once acceptance has passed and its public notice has closed.")
        )
    return report, report.notice


def acceptance_certificate_pdf(application: Application, *, language: str | None = None) -> bytes:
    """验收证书: the project, the undertaking unit, the contract period, the county grant and
    what was paid, the acceptance date and result, the acceptance notice's number, the
    bureau's signature and seal square. ``StateConflict`` (409) before the notice closed."""
    from funding.documents import document_signature
    from funding.enums import DisbursementStatus

    with translation.override(language or translation.get_language()):
        report, notice = acceptance_certificate_facts(application)
        st = pdf_styles()
        version = contract_in_force(application)

        def p(text: Any, style: str = "cell") -> Paragraph:
            return Paragraph(escape(str(text)), st[style])

        approved = yuan(application.approved_yuan or 0)
        paid = yuan(
            sum(
                (d.amount_yuan for d in application.disbursements.filter(status=DisbursementStatus.PAID)),
                yuan(0),
            )
        )
        decided = timezone.localdate(report.decided_at) if report.decided_at else timezone.localdate()
        closed = timezone.localdate(notice.closed_at)
        number = notice.document_number or f"{application.call.year}-{application.pk:05d}"
        period = f"{date_text(version.starts_on)} – {date_text(version.ends_on)}" if version else "—"
        story: list[Any] = [
            p(bureau_name(), "sub"),
            p(_("Certificate of project acceptance"), "title"),
            p(_("Certificate no. %(number)s") % {"number": number}, "sub"),
            Spacer(1, 8 * mm),
        ]
        facts = [
            [p(_("Project")), p(application.title)],
            [p(_("Project number")), p(document_number_of(application))],
            [p(_("Call")), p(application.call.title)],
            [p(_("Undertaking unit")), p(application.organisation.name)],
            [p(_("Project period")), p(period)],
            [
                p(_("County grant")),
                p(_("%(yuan)s yuan (%(wan)s 10k yuan)") % {"yuan": money_text(approved), "wan": wan_text(approved)}),
            ],
            [p(_("Paid so far")), p(_("%(yuan)s yuan") % {"yuan": money_text(paid)})],
            [p(_("Accepted on")), p(date_text(decided))],
            [p(_("Result")), p(_("Passed"))],
            [
                p(_("Acceptance notice")),
                p(_("%(number)s, closed %(date)s") % {"number": number, "date": date_text(closed)}),
            ],
        ]
        story.append(pdf_table(facts, [42 * mm, 120 * mm], header=False))
        story += [
            Spacer(1, 8 * mm),
            p(
                _(
                    "The bureau organised the acceptance of this project. Experts examined its results against "
                    "the assessment targets of the task contract and its final accounts; the project passed "
                    "acceptance, and the result was on public notice without an upheld objection."
                ),
                "body",
            ),
            Spacer(1, 14 * mm),
            document_signature(st, closed),
        ]
        out = BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=24 * mm,
            rightMargin=24 * mm,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Certificate of project acceptance") + f" {number}",
            author=bureau_name(),
        )
        doc.build(story)
        return out.getvalue()

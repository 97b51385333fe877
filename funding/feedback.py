"""Feedback to applicants (评审意见反馈, issue 17.4): once a call's public notice has closed, the
applicant reads the experts' comments and per-criterion scores on their own item — reviewers by
number, never by name — on the application page, through the API and as a PDF.

Staff may withhold a comment (``reviews.services.review_comment_withhold``); the applicant then
reads "withheld by the bureau" in its place, and the scores all the same. One function builds the
feedback as plain data for the page, the API and the PDF.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from applications.rules import is_owner
from core.errors import NotVisible, StateConflict
from reviews.enums import AssignmentPurpose, AssignmentStatus
from reviews.models import Review

#: What the applicant reads where a comment was withheld.
WITHHELD = gettext_lazy("Withheld by the bureau.")


def feedback_open(application: Application) -> bool:
    """The feedback is open once a notice carrying the item has closed (the decision is final)."""
    return application.notices.filter(closed_at__isnull=False).exists()


def is_applicant(user: Any, application: Application) -> bool:
    """The applicant who owns the item, or a colleague holding the owner's grant."""
    if not user.is_authenticated:
        return False
    return application.applicant_id == user.pk or is_owner(user, application)


def comment_for_applicant(review: Review) -> str:
    return str(WITHHELD) if review.comment_withheld else review.comment


def application_feedback(*, application: Application, user: Any) -> dict[str, Any]:
    """The item's reviews as its applicant may read them: ``{reviews: [{number, scores, comment,
    comment_withheld}], criteria: [{code, label, max_score}]}``. 404 for anyone but the applicant
    (staff and the panel read the reviews themselves, with names, elsewhere); 409 before the
    notice has closed."""
    if not is_applicant(user, application):
        raise NotVisible()
    if not feedback_open(application):
        raise StateConflict(_("The experts' feedback is open to the applicant once the public notice has closed."))
    criteria = list(application.call.criteria.order_by("position", "id"))
    reviews = Review.objects.filter(
        assignment__application=application,
        assignment__purpose=AssignmentPurpose.REVIEW,
        assignment__status=AssignmentStatus.SUBMITTED,
    ).order_by("submitted_at", "id")
    return {
        "application": application.pk,
        "title": application.title,
        "call": application.call.title,
        "criteria": [{"code": c.code, "label": c.label, "max_score": f"{c.max_score.normalize():f}"} for c in criteria],
        "reviews": [
            {
                "number": number,
                "scores": {c.code: r.scores.get(c.code) for c in criteria if c.code in (r.scores or {})},
                "comment": comment_for_applicant(r),
                "comment_withheld": r.comment_withheld,
            }
            for number, r in enumerate(reviews, start=1)
        ],
    }


def feedback_rows(feedback: dict[str, Any]) -> list[dict[str, Any]]:
    """Each review with its scores in the criteria's order, labelled, for the page and the PDF."""
    return [
        {**r, "score_rows": [(c["label"], r["scores"].get(c["code"]), c["max_score"]) for c in feedback["criteria"]]}
        for r in feedback["reviews"]
    ]


def feedback_pdf(feedback: dict[str, Any]) -> bytes:
    """The feedback as a PDF, in the current language: one table of scores and the comment per
    reviewer, numbered."""
    from io import BytesIO

    from django.utils.html import escape
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from .documents import FONT

    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=body, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4)
    title = ParagraphStyle("t", parent=body, fontSize=17, leading=24, spaceAfter=6)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text if text not in (None, "") else "—")).replace("\n", "<br/>"), style)

    story: list[Any] = [
        p(_("Experts' feedback"), title),
        p(f"{feedback['title']} · {feedback['call']}"),
        p(_("Reviewers are numbered, not named.")),
    ]
    for row in feedback_rows(feedback):
        story.append(p(_("Reviewer %(number)s") % {"number": row["number"]}, heading))
        grid = Table(
            [[p(_("Criterion")), p(_("Score")), p(_("Maximum"))]]
            + [[p(label), p(score), p(maximum)] for label, score, maximum in row["score_rows"]],
            hAlign="LEFT",
        )
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [grid, p(_("Comment"), heading), p(row["comment"])]
    if not feedback["reviews"]:
        story.append(p(_("No expert reviewed this item.")))
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm).build(story)
    return out.getvalue()

"""The decision dossier (决策档案, issue 19.1): one item's chain from the public notice back to
the draw's seed, and forward to every approval and payment.

notice line → decision (who, when, amount, comment) → place in the ranking, with the rule and the
raw and adjusted figures → the reviews (numbered; experts named for staff only) → the draws (seed,
commitment, candidates, exclusions with their reasons, choices) → formal review and the rest of the
item's history → objections and their resolution → contract → each payment with its approvals
(who, when, voucher) → acceptance.

One function builds it as plain data for the page, the API and the PDF, in three readings:
``staff`` sees everything; ``panel`` and ``finance`` see no expert's name and no objector's
contact; the applicant (``owner``) gets it only once the notice has closed, with people reduced to
their role (the panel, finance) and experts to their number — the reviewers stay anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.rules import is_finance, is_panel, is_staff
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.rules import can_view_application
from audit.selectors import audit_for
from core.errors import NotVisible, StateConflict
from core.money import to_wan, yuan
from reviews.enums import AssignmentPurpose, AssignmentStatus, DrawExclusion, DrawKind
from reviews.models import DrawItem, Review
from reviews.selectors import call_ranking

from .feedback import comment_for_applicant
from .models import Disbursement, Notice, Objection


@dataclass(frozen=True)
class Reader:
    """Who reads the dossier, and so how much it shows."""

    kind: str  # "staff", "officials" (panel, finance) or "owner"

    @property
    def names_experts(self) -> bool:
        return self.kind == "staff"

    @property
    def names_officials(self) -> bool:
        return self.kind != "owner"


def dossier_reader(user: Any, application: Application) -> Reader:
    """Which reading ``user`` gets; 404 for anyone who may not see the item at all, 409 for its
    applicant while the notice has not closed (the chain is not final until then)."""
    if not can_view_application(user, application):
        raise NotVisible()
    if is_staff(user):
        return Reader("staff")
    if is_panel(user) or is_finance(user):
        return Reader("officials")
    if not application.notices.filter(closed_at__isnull=False).exists():
        raise StateConflict(_("The decision dossier is open to the applicant once the public notice has closed."))
    return Reader("owner")


def _money(amount: Any) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"yuan": f"{yuan(amount):.2f}", "wan": f"{to_wan(amount):f}"}


def _person(user: Any, role: str, reader: Reader) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username if reader.names_officials else role


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _at(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def application_dossier(*, application: Application, reader: Reader) -> dict[str, Any]:
    """The whole chain for one item, as JSON-ready data (see the module docstring)."""
    app = (
        Application.objects.select_related("call", "call__programme", "organisation", "decision__decided_by")
        .prefetch_related(Prefetch("notices", queryset=Notice.objects.order_by("published_at")))
        .get(pk=application.pk)
    )
    call = app.call
    dossier: dict[str, Any] = {
        "item": {
            "id": app.pk,
            "title": app.title,
            "kind": app.kind,
            "status": app.status,
            "status_label": str(app.get_status_display()),
            "call": {"id": call.pk, "title": call.title, "year": call.year},
            "programme": str(call.programme) if call.programme_id else "",
            "organisation": app.organisation.name if app.organisation_id else "",
            "requested": _money(app.requested_yuan),
            "approved": _money(app.approved_yuan),
            "link": reverse("application-detail", args=[app.pk]),
        },
        "reader": reader.kind,
    }
    dossier["notices"] = [
        {
            "id": n.pk,
            "published_at": _at(n.published_at),
            "ends_at": _at(n.ends_at),
            "closed_at": _at(n.closed_at),
            "link": reverse("notice", args=[n.pk]),
        }
        for n in app.notices.all()
    ]
    decision = getattr(app, "decision", None)
    dossier["decision"] = (
        {
            "fund": decision.fund,
            "approved": _money(decision.approved_yuan),
            "comment": decision.comment,
            "decided_by": _person(decision.decided_by, _("the panel"), reader),
            "decided_at": _at(decision.decided_at),
        }
        if decision is not None
        else None
    )
    dossier["ranking"] = _ranking(app)
    dossier["reviews"] = _reviews(app, reader)
    dossier["draws"] = _draws(app, reader)
    dossier["history"] = _history(app, reader)
    dossier["objections"] = [
        {
            "id": o.pk,
            "notice": o.notice_id,
            "filed_at": _at(o.created_at),
            "text": o.text,
            "by": f"{o.name} ({o.contact})" if reader.names_officials else "",
            "status": o.status,
            "status_label": str(o.get_status_display()),
            "resolution": o.resolution,
            "resolved_by": _person(o.resolved_by, _("bureau staff"), reader) if o.resolved_at else "",
            "resolved_at": _at(o.resolved_at),
        }
        for o in Objection.objects.filter(application=app).select_related("resolved_by").order_by("created_at")
    ]
    contract = getattr(app, "contract", None)
    dossier["contract"] = (
        {"signed_by": _person(contract.signed_by, _("the applicant"), reader), "signed_at": _at(contract.signed_at)}
        if contract is not None
        else None
    )
    dossier["payments"] = [
        {
            "id": d.pk,
            "tranche": d.tranche,
            "amount": _money(d.amount_yuan),
            "status": d.status,
            "status_label": str(d.get_status_display()),
            "requested": {"by": _person(d.requested_by, _("the system"), reader), "at": _at(d.requested_at)},
            "officer": {"by": _person(d.officer, _("finance officer"), reader), "at": _at(d.officer_at)}
            if d.officer_at
            else None,
            "head": {"by": _person(d.head, _("finance head"), reader), "at": _at(d.head_at)} if d.head_at else None,
            "paid": {"by": _person(d.paid_by, _("finance"), reader), "at": _at(d.paid_at), "voucher": d.voucher}
            if d.paid_at
            else None,
            "rejected_reason": d.rejected_reason,
            "link": f"{reverse('application-dossier', args=[app.pk])}#payment-{d.pk}",
        }
        for d in Disbursement.objects.filter(application=app)
        .select_related("requested_by", "officer", "head", "paid_by")
        .order_by("tranche", "id")
    ]
    dossier["acceptance"] = [
        {
            "submitted_at": _at(r.submitted_at),
            "spent": _money(r.spent_yuan),
            "result": r.result,
            "result_label": str(r.get_result_display()) if r.result else "",
            "comment": r.comment,
            "decided_by": _person(r.decided_by, _("bureau staff"), reader) if r.decided_at else "",
            "decided_at": _at(r.decided_at),
        }
        for r in app.acceptance_reports.select_related("decided_by").order_by("submitted_at")
    ]
    return dossier


def _ranking(app: Application) -> dict[str, Any] | None:
    ranked = call_ranking(app.call)
    mine = next((r for r in ranked if r.item == app.pk), None)
    if mine is None:
        return None
    return {
        "rule": app.call.scoring_rule,
        "rule_label": str(app.call.get_scoring_rule_display()),
        "rank": mine.rank,
        "of": len(ranked),
        "score": str(mine.score),
        "raw_mean": str(mine.raw_mean),
        "reviews": mine.reviews,
        "spread": str(mine.spread),
        "flagged": mine.flagged,
        "link": reverse("call-ranking", args=[app.call_id]),
    }


def _reviews(app: Application, reader: Reader) -> list[dict[str, Any]]:
    reviews = (
        Review.objects.filter(
            assignment__application=app,
            assignment__purpose=AssignmentPurpose.REVIEW,
            assignment__status=AssignmentStatus.SUBMITTED,
        )
        .select_related("assignment__expert")
        .order_by("submitted_at", "id")
    )
    return [
        {
            "number": number,
            "expert": str(r.assignment.expert) if reader.names_experts else "",
            "scores": r.scores,
            "weighted_total": str(r.weighted_total),
            "recommendation": r.recommendation,
            "recommendation_label": str(r.get_recommendation_display()),
            # The applicant reads "withheld by the bureau" where staff withheld a comment.
            "comment": r.comment if reader.names_officials else comment_for_applicant(r),
            "submitted_at": _at(r.submitted_at),
        }
        for number, r in enumerate(reviews, start=1)
    ]


def _draws(app: Application, reader: Reader) -> list[dict[str, Any]]:
    from reviews.models import Expert

    # The review's draws only: the acceptance experts' draws belong to the acceptance.
    items = list(
        DrawItem.objects.filter(application=app)
        .exclude(draw__kind=DrawKind.ACCEPTANCE)
        .exclude(assignments__purpose=AssignmentPurpose.ACCEPTANCE)
        .select_related("draw")
        .order_by("draw__performed_at", "id")
        .distinct()
    )
    ids = {e for i in items for e in i.chosen} | {x["expert"] for i in items for x in i.exclusions}
    names = dict(Expert.objects.filter(pk__in=ids).values_list("pk", "name")) if reader.names_experts else {}
    rows = []
    for item in items:
        draw = item.draw
        rows.append(
            {
                "id": draw.pk,
                "kind": draw.kind,
                "performed_at": _at(draw.performed_at),
                "seed": draw.seed,
                "pool_sha256": draw.pool_sha256,
                "seed_sha256": draw.seed_sha256,
                "algorithm": draw.algorithm,
                "candidates": len(item.candidates),
                "needed": item.needed,
                "shortfall": item.shortfall,
                "exclusions": [
                    {
                        "expert": names.get(x["expert"], x["expert"]) if reader.names_experts else "",
                        "reason": x["reason"],
                        "reason_label": _label(DrawExclusion, x["reason"]),
                    }
                    for x in item.exclusions
                ],
                "chosen": [names.get(e, e) for e in item.chosen] if reader.names_experts else len(item.chosen),
                "link": reverse("draw-detail", args=[draw.pk]) if reader.kind == "staff" else "",
            }
        )
    return rows


def _history(app: Application, reader: Reader) -> list[dict[str, Any]]:
    entries = audit_for(app).select_related("actor").order_by("seq")
    return [
        {
            "at": _at(e.at),
            "action": e.action,
            "label": _label(ApplicationStatus, e.to_state) if e.to_state else e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "comment": e.comment,
            "by": (e.actor.username if e.actor else _("the system")) if reader.names_officials else "",
            "audit_entry": e.seq if reader.kind == "staff" else None,
        }
        for e in entries
    ]


def dossier_for_payment(disbursement: Disbursement) -> str:
    """From a payment back to its item's dossier (the decision it follows)."""
    return f"{reverse('application-dossier', args=[disbursement.application_id])}#decision"


def dossier_pdf(dossier: dict[str, Any]) -> bytes:
    """The dossier as a PDF, section by section, in the current language."""
    from io import BytesIO

    from django.utils.html import escape
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .documents import FONT

    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle("t", parent=body, fontSize=17, leading=24, spaceAfter=6)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text if text not in (None, "") else "—")), style)

    def table(rows: list[list[Any]]) -> Table:
        grid = Table([[p(c) for c in row] for row in rows], repeatRows=1, hAlign="LEFT")
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return grid

    def amount(m: dict[str, str] | None) -> str:
        return f"{m['yuan']} ({m['wan']} {_('10k yuan')})" if m else "—"

    item = dossier["item"]
    story: list[Any] = [
        p(_("Decision dossier"), title),
        p(f"{item['title']} · {item['call']['title']} · {item['organisation']}"),
        p(f"{_('Status')}: {item['status_label']} · {_('Requested')}: {amount(item['requested'])} · "
          f"{_('Approved')}: {amount(item['approved'])}"),
    ]  # fmt: skip
    story += [p(_("Public notice"), heading)]
    story += [p(f"#{n['id']} {n['published_at']} → {n['ends_at']} · {_('closed')}: {n['closed_at']}") for n in dossier["notices"]] or [p("")]  # fmt: skip
    story += [p(_("Decision"), heading)]
    d = dossier["decision"]
    story += [p(f"{_('Fund') if d['fund'] else _('Do not fund')} · {amount(d['approved'])} · {d['decided_by']} · {d['decided_at']} · {d['comment']}")] if d else [p("")]  # fmt: skip
    story += [p(_("Ranking"), heading)]
    r = dossier["ranking"]
    story += [p(f"{r['rule_label']}: {_('rank')} {r['rank']} / {r['of']} · {_('adjusted score')} {r['score']} · {_('raw mean')} {r['raw_mean']} · {_('reviews')} {r['reviews']} · {_('spread')} {r['spread']}")] if r else [p("")]  # fmt: skip
    story += [p(_("Reviews"), heading)]
    if dossier["reviews"]:
        story.append(
            table(
                [[_("No."), _("Expert"), _("Scores"), _("Weighted total"), _("Recommendation"), _("Comment")]]
                + [
                    [
                        f"#{v['number']}",
                        v["expert"],
                        ", ".join(f"{k} {s}" for k, s in v["scores"].items()),
                        v["weighted_total"],
                        v["recommendation_label"],
                        v["comment"],
                    ]
                    for v in dossier["reviews"]
                ]  # fmt: skip
            )
        )
    story += [p(_("Expert draws"), heading)]
    for w in dossier["draws"]:
        chosen = w["chosen"] if isinstance(w["chosen"], int) else ", ".join(str(c) for c in w["chosen"])
        story.append(p(f"#{w['id']} {w['performed_at']} · {_('seed')} {w['seed']} · {_('candidates')} {w['candidates']} · {_('drawn')} {chosen}"))  # fmt: skip
        story.append(p(f"pool_sha256 {w['pool_sha256']} · seed_sha256 {w['seed_sha256']}"))
        for x in w["exclusions"]:
            story.append(p(f"— {x['expert']} {x['reason_label']}"))
    story += [p(_("Objections"), heading)]
    story += [p(f"{o['filed_at']} {o['by']}: {o['text']} → {o['status_label']} {o['resolution']}") for o in dossier["objections"]] or [p("")]  # fmt: skip
    story += [p(_("Contract"), heading)]
    c = dossier["contract"]
    story += [p(f"{c['signed_by']} · {c['signed_at']}") if c else p("")]
    story += [p(_("Payments"), heading)]
    if dossier["payments"]:
        story.append(
            table(
                [
                    [
                        _("Tranche"),
                        _("Amount"),
                        _("Status"),
                        _("Finance officer"),
                        _("Finance head"),
                        _("Paid"),
                        _("Voucher"),
                    ]
                ]
                + [
                    [
                        m["tranche"],
                        amount(m["amount"]),
                        m["status_label"],
                        f"{m['officer']['by']} {m['officer']['at']}" if m["officer"] else "",
                        f"{m['head']['by']} {m['head']['at']}" if m["head"] else "",
                        f"{m['paid']['by']} {m['paid']['at']}" if m["paid"] else "",
                        m["paid"]["voucher"] if m["paid"] else "",
                    ]
                    for m in dossier["payments"]
                ]  # fmt: skip
            )
        )
    story += [p(_("Acceptance"), heading)]
    story += [p(f"{a['submitted_at']} · {amount(a['spent'])} · {a['result_label']} {a['comment']}") for a in dossier["acceptance"]] or [p("")]  # fmt: skip
    story += [p(_("History"), heading)]
    story.append(
        table(
            [[_("At"), _("Step"), _("By"), _("Comment")]]
            + [[h["at"], h["label"], h["by"], h["comment"]] for h in dossier["history"]]
        )
    )
    story.append(Spacer(1, 6 * mm))
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, title=str(item["title"])).build(story)
    return out.getvalue()

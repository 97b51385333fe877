"""The acceptance (验收) of a plan project (issue 17 items 1–3): writes and the reads they share.

The life of one acceptance file (``AcceptanceReport``)::

    applicant files ── staff check ──┬─ return (comment) → the applicant files a new one (old kept)
    (results per target,             └─ accept → staff draw the acceptance experts (same draw and
     accounts per line,                 avoidance as the review) → they score the acceptance
     attachments)                       criteria and recommend pass / rectify / fail
                                      → staff decide, against the system's advice:
                                         ├─ rectify (once) → the applicant files again; the
                                         │   rectified file is checked and decided (final)
                                         ├─ fail → failed; a pending credit record on the
                                         │   organisation; county money to return recorded
                                         └─ pass → the public acceptance notice; when it closes
                                             (:func:`acceptance_notice_close`) the final tranche
                                             is requested, or the project closes

Results and accounts are rows (``AcceptanceResultLine``, ``AcceptanceAccountLine``) cleaned by
the mid-term report's helpers. Every function that changes a file is here; each audits and
notifies. The workflow steps (``workflow.steps.acceptance_*``) hold the flow lock and complete
the viewflow tasks around them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.recent import require_recent_login
from accounts.rules import is_staff
from applications.enums import AcceptanceDocument, ApplicationStatus
from applications.links import item_staff_url, item_url
from applications.models import Application, Attachment
from applications.selectors import users_with_role
from applications.services import application_locked, application_transition, parse_money
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from funding import services as funding_services
from funding.enums import AcceptanceCheck, AcceptanceCheckDecision, AcceptanceResult, DisbursementStatus
from funding.models import AcceptanceAccountLine, AcceptanceReport, AcceptanceResultLine, Disbursement
from notifications.services import notify
from reviews.enums import AssignmentPurpose, AssignmentStatus
from reviews.models import Assignment, Draw, Review

from .midterm import _clean_progress, _clean_spent, version_in_force

S = ApplicationStatus
R = AcceptanceResult
A = AssignmentStatus
ZERO = Decimal("0.00")
MAX_REPORT = 100000
#: A failed acceptance's credit record on the organisation: level and how long it is in force.
CREDIT_LEVEL = "serious"
CREDIT_YEARS = 3
CREDIT_SOURCE = "acceptance failed"


# --- reads ------------------------------------------------------------------------------------


def acceptance_reports_of(application: Application) -> QuerySet[AcceptanceReport]:
    """The project's acceptance files, oldest first, with their results and accounts."""
    return (
        AcceptanceReport.objects.filter(application=application)
        .select_related("decided_by", "checked_by")
        .prefetch_related(
            Prefetch(
                "results",
                queryset=AcceptanceResultLine.objects.select_related("target").order_by("target__position"),
            ),
            Prefetch("accounts", queryset=AcceptanceAccountLine.objects.order_by("id")),
        )
        .order_by("submitted_at", "id")
    )


def acceptance_latest(application: Application) -> AcceptanceReport | None:
    return acceptance_reports_of(application).order_by("-submitted_at", "-id").first()


def acceptance_rectified(application: Application) -> bool:
    """Rectify happens once: after it, the next result is final."""
    return AcceptanceReport.objects.filter(application=application, result=R.RECTIFY).exists()


def acceptance_assignments(application: Application) -> QuerySet[Assignment]:
    """The project's acceptance experts (never its reviewers), with their scores."""
    return (
        Assignment.objects.filter(application=application, purpose=AssignmentPurpose.ACCEPTANCE)
        .select_related("expert", "review")
        .order_by("invited_at", "id")
    )


def paid_yuan(application: Application) -> Decimal:
    total = Disbursement.objects.filter(application=application, status=DisbursementStatus.PAID).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    return total or ZERO


def county_spent(report: AcceptanceReport) -> Decimal:
    """The county grant spent per the file's final accounts."""
    return sum((row.county_yuan for row in report.accounts.all()), ZERO)


def acceptance_money(application: Application, report: AcceptanceReport) -> dict[str, Decimal]:
    """What the accounts support: the final tranche ``min(approved − paid, county spent − paid)``
    and the county money to return ``paid − county spent``, neither below zero."""
    approved = application.approved_yuan or ZERO
    paid = paid_yuan(application)
    spent = county_spent(report)
    return {
        "approved": approved,
        "paid": paid,
        "county_spent": spent,
        "final_tranche": max(min(approved - paid, spent - paid), ZERO),
        "to_return": max(paid - spent, ZERO),
    }


def targets_share() -> Decimal:
    return Decimal(str(settings.PINGSHEN_ACCEPTANCE_TARGETS_SHARE))


def acceptance_advice(application: Application, report: AcceptanceReport) -> dict[str, Any]:
    """The system's advice to staff: fail when fewer than ``PINGSHEN_ACCEPTANCE_TARGETS_SHARE``
    of the contract's targets are met (achieved ≥ the target value); else the experts'
    majority recommendation, a tie giving rectify. After a rectify the result is final, so
    the advice is pass or fail only: pass when the targets are met well enough."""
    results = list(report.results.all())
    met = sum(1 for row in results if row.met)
    total = len(results)
    share = Decimal(met) / Decimal(total) if total else Decimal("1")
    reviews = list(
        Review.objects.filter(
            assignment__application=application,
            assignment__purpose=AssignmentPurpose.ACCEPTANCE,
            assignment__status=A.SUBMITTED,
        ).order_by("assignment_id")
    )
    votes = Counter(r.recommendation for r in reviews)
    final = acceptance_rectified(application)
    advice: str
    if share < targets_share():
        advice = R.FAIL
    elif final:
        advice = R.PASS
    elif not votes:
        advice = ""
    else:
        ranked = votes.most_common()
        advice = ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else R.RECTIFY
    return {
        "targets_met": met,
        "targets_total": total,
        "share": share,
        "threshold": targets_share(),
        "votes": {word: votes.get(word, 0) for word in (R.PASS, R.RECTIFY, R.FAIL)},
        "reviews": len(reviews),
        "final": final,
        "advice": advice,
    }


def acceptance_scoring_done(application: Application) -> bool:
    """Every acceptance expert not declined has submitted or expired, and one at least submitted."""
    statuses = list(acceptance_assignments(application).exclude(status=A.DECLINED).values_list("status", flat=True))
    return bool(statuses) and A.SUBMITTED in statuses and all(s in (A.SUBMITTED, A.EXPIRED) for s in statuses)


def _audit_required(application: Application) -> bool:
    return (application.approved_yuan or ZERO) >= Decimal(settings.PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN)


# --- the file ---------------------------------------------------------------------------------


def _clean_accounts(value: Any, version: Any) -> tuple[list[dict[str, Any]], list[str]]:
    rows, errors = _clean_spent(value, version)
    if not errors:
        given = {row["line"] for row in rows}
        missing = [b.get_line_display() for b in version.budget.all() if b.line not in given]
        if missing:
            errors.append(_("Give the final accounts of every budget line: %(lines)s.") % {"lines": ", ".join(missing)})
    return rows, errors


@service_atomic
def acceptance_submit(
    *,
    application: Application,
    actor: Any,
    report: Any,
    results: Any,
    accounts: Any,
    spent_yuan: Any = None,
) -> AcceptanceReport:
    """The applicant files the acceptance: the final report, what was achieved on every target
    of the contract in force (``results``), the final accounts of every budget line by source
    (``accounts``); ``spent_yuan``, if given, must equal the accounts' sum. From a county grant
    of ``PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN`` the audit report must be attached first
    (attachment kind ``acceptance_audit``).

    404 for anyone but the applicant; 400 naming ``report``/``results``/``accounts``/
    ``spent_yuan``/``attachments``; 409 unless the project is contracted, its first tranche
    paid and no file waits. Side effects: the file and its rows, the status
    ``acceptance_submitted`` (audited), staff told."""
    application = application_locked(application)
    if application.applicant_id != actor.pk:
        raise NotVisible()
    if application.status != S.CONTRACTED:
        raise StateConflict(_("Acceptance is for contracted projects."))
    if not Disbursement.objects.filter(application=application, tranche=1, status=DisbursementStatus.PAID).exists():
        raise StateConflict(_("The first tranche has not been paid yet."))
    version = version_in_force(application)
    if version is None:
        raise StateConflict(_("The project has no task contract in force to report against."))
    errors: dict[str, list[str]] = {}
    text = report.strip() if isinstance(report, str) else ""
    if not text:
        errors["report"] = [_("The final report is required.")]
    elif len(text) > MAX_REPORT:
        errors["report"] = [_("At most 100,000 characters.")]
    result_rows, result_errors = _clean_progress(results, version)
    if result_errors:
        errors["results"] = result_errors
    account_rows, account_errors = _clean_accounts(accounts, version)
    if account_errors:
        errors["accounts"] = account_errors
    total = sum((row["county_yuan"] + row["own_yuan"] + row["other_yuan"] for row in account_rows), ZERO)
    if spent_yuan not in (None, "") and not account_errors:
        try:
            given = parse_money(spent_yuan, "spent_yuan")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if given != total:
                errors["spent_yuan"] = [
                    _("The amount spent must be the sum of the accounts, %(total)s yuan.") % {"total": total}
                ]
    if (
        _audit_required(application)
        and not Attachment.objects.filter(application=application, kind=AcceptanceDocument.AUDIT).exists()
    ):
        errors["attachments"] = [
            _("Attach the audit report (审计报告): the county grant is %(threshold)s yuan or more.")
            % {"threshold": settings.PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN}
        ]
    if errors:
        raise ValidationError(errors)
    acceptance = AcceptanceReport.objects.create(
        application=application, version=version, report=text, spent_yuan=total
    )
    AcceptanceResultLine.objects.bulk_create(
        [AcceptanceResultLine(report=acceptance, target=target, achieved=achieved) for target, achieved in result_rows]
    )
    AcceptanceAccountLine.objects.bulk_create([AcceptanceAccountLine(report=acceptance, **row) for row in account_rows])
    application_transition(
        application=application,
        to=S.ACCEPTANCE_SUBMITTED,
        actor=actor,
        action="acceptance.submit",
        data={"report": acceptance.pk, "spent_yuan": str(total)},
    )
    notify(
        recipients=users_with_role("staff"),
        kind="acceptance_submitted",
        subject=gettext_lazy("Acceptance report: %(title)s"),
        body=gettext_lazy("“%(title)s” submitted its final report for acceptance."),
        context={"title": application.title},
        url=reverse("acceptance-check", args=[application.pk]),
    )
    return acceptance


def _waiting_file(application: Application, check: str) -> AcceptanceReport:
    report = (
        AcceptanceReport.objects.select_for_update()
        .filter(application=application, check_status=check, result="")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if report is None or application.status != S.ACCEPTANCE_SUBMITTED:
        raise StateConflict(_("No acceptance file is waiting for this step."))
    return report


@service_atomic
def acceptance_check(*, application: Application, actor: Any, decision: Any, comment: Any = "") -> AcceptanceReport:
    """Staff check the file: ``accept`` (on to the experts, or after a rectify to the decision)
    or ``return`` with what is missing (the applicant files a new version; this one is kept).

    403 unless staff with a recent login; 400 naming ``decision``/``comment``; 409 when no file
    waits for the check. Side effects: audit row; on return the status goes back to
    ``contracted`` and the applicant is told."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff check acceptance files."))
    require_recent_login(actor)
    text = comment.strip() if isinstance(comment, str) else ""
    if decision not in AcceptanceCheckDecision.values:
        raise ValidationError({"decision": [_("Choose accept or return.")]})
    if decision == AcceptanceCheckDecision.RETURN and not text:
        raise ValidationError({"comment": [_("Say what is missing, so the applicant can file again.")]})
    application = application_locked(application)
    report = _waiting_file(application, AcceptanceCheck.SUBMITTED)
    to = AcceptanceCheck.ACCEPTED if decision == AcceptanceCheckDecision.ACCEPT else AcceptanceCheck.RETURNED
    report.check_status, report.check_comment = to, text
    report.checked_by, report.checked_at = actor, timezone.now()
    report.save(update_fields=["check_status", "check_comment", "checked_by", "checked_at"])
    if to == AcceptanceCheck.RETURNED:
        application_transition(
            application=application,
            to=S.CONTRACTED,
            actor=actor,
            action="acceptance.return",
            comment=text,
            data={"report": report.pk},
        )
        notify(
            recipients=[application.applicant],
            kind="acceptance_returned",
            subject=gettext_lazy("Acceptance file returned: %(title)s"),
            body=gettext_lazy("The acceptance file of “%(title)s” was returned: %(comment)s File it again."),
            context={"title": application.title, "comment": text},
            url=reverse("acceptance-file", args=[application.pk]),
        )
    else:
        audit_record(
            actor=actor,
            action="acceptance.check",
            target=application,
            comment=text,
            data={"report": report.pk, "check": to},
        )
    return report


@service_atomic
def acceptance_draw(*, application: Application, actor: Any, seed: Any = None) -> Draw:
    """Staff draw the acceptance experts of a checked file (``reviews.services.draw_for_acceptance``,
    the review's draw and avoidance); their acceptance criteria are written if the call has none.
    403 unless staff; 409 unless a checked file waits for its experts."""
    from reviews.services import acceptance_criteria_ensure, draw_for_acceptance

    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    require_recent_login(actor)
    application = application_locked(application)
    _waiting_file(application, AcceptanceCheck.ACCEPTED)
    if acceptance_rectified(application):
        raise StateConflict(_("The rectified file is decided without a new draw."))
    acceptance_criteria_ensure(application.call)
    return draw_for_acceptance(application=application, actor=actor, seed=seed or None)


# --- the decision -----------------------------------------------------------------------------


def _fail_consequences(application: Application, actor: Any, report: AcceptanceReport, comment: str) -> None:
    from integrity.services import credit_record_create

    today = timezone.localdate()
    try:
        until = today.replace(year=today.year + CREDIT_YEARS)
    except ValueError:  # 29 February
        until = today.replace(year=today.year + CREDIT_YEARS, day=28)
    credit_record_create(
        actor=actor,
        subject_type="organisation",
        subject=application.organisation,
        level=CREDIT_LEVEL,
        reason=_("The acceptance of “%(title)s” failed: %(comment)s")
        % {"title": application.title, "comment": comment},
        source=CREDIT_SOURCE,
        valid_until=until,
    )


@service_atomic
def acceptance_decide(*, application: Application, actor: Any, result: Any, comment: Any = "") -> AcceptanceReport:
    """Staff decide the checked file: ``pass``, ``rectify`` (once) or ``fail``.

    The experts must be done first (every acceptance assignment not declined submitted or
    expired, one at least submitted; 409 otherwise), except for a rectified file, which is
    decided on its own and finally (a second ``rectify`` is a 400). ``comment`` is required
    when the result differs from the system's advice (:func:`acceptance_advice`), and for
    rectify and fail. Stores the advice, the money the accounts support and what is to be
    returned.

    - fail: status failed; a pending credit record (serious, three years, source
      "acceptance failed") on the organisation, confirmed by a second staff member as any;
      finance told of the county money to return;
    - rectify: back to the applicant (status contracted) to file again;
    - pass: waits for the public acceptance notice (:func:`acceptance_notice_close`).

    Side effects: audit rows; the applicant told (and finance when money is to be returned)."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff decide acceptance."))
    require_recent_login(actor)
    if result not in R.values:
        raise ValidationError({"result": [_("Choose pass, fail or rectify.")]})
    text = comment.strip() if isinstance(comment, str) else ""
    application = application_locked(application)
    report = _waiting_file(application, AcceptanceCheck.ACCEPTED)
    final = acceptance_rectified(application)
    if final and result == R.RECTIFY:
        raise ValidationError({"result": [_("Rectify happens once: this result is final, pass or fail.")]})
    if not final and not acceptance_scoring_done(application):
        raise StateConflict(_("The acceptance experts have not all scored yet."))
    advice = acceptance_advice(application, report)
    if not text and (result != advice["advice"] or result != R.PASS):
        raise ValidationError(
            {
                "comment": [
                    _("Say why: the result differs from the advice (%(advice)s).")
                    % {"advice": R(advice["advice"]).label if advice["advice"] else "—"}
                    if result != advice["advice"]
                    else _("Say why, so the applicant knows what to do.")
                ]
            }
        )
    money = acceptance_money(application, report)
    report.result, report.comment, report.decided_by, report.decided_at = result, text, actor, timezone.now()
    report.advice = advice["advice"]
    report.targets_met, report.targets_total = advice["targets_met"], advice["targets_total"]
    report.amount_to_return = money["to_return"] if result != R.RECTIFY else None
    report.final_tranche_yuan = money["final_tranche"] if result == R.PASS else None
    report.save(
        update_fields=[
            "result",
            "comment",
            "decided_by",
            "decided_at",
            "advice",
            "targets_met",
            "targets_total",
            "amount_to_return",
            "final_tranche_yuan",
        ]
    )
    data = {
        "report": report.pk,
        "advice": advice["advice"],
        "targets_met": advice["targets_met"],
        "targets_total": advice["targets_total"],
        "votes": advice["votes"],
        **{k: str(v) for k, v in money.items()},
    }
    if result == R.FAIL:
        application_transition(
            application=application, to=S.FAILED, actor=actor, action="acceptance.fail", comment=text, data=data
        )
        _fail_consequences(application, actor, report, text)
    elif result == R.RECTIFY:
        application_transition(
            application=application, to=S.CONTRACTED, actor=actor, action="acceptance.rectify", comment=text, data=data
        )
    else:
        audit_record(actor=actor, action="acceptance.pass", target=application, comment=text, data=data)
    if report.amount_to_return:
        notify(
            recipients=users_with_role("finance_officer"),
            kind="acceptance_decided",
            subject=gettext_lazy("County money to return: %(title)s"),
            body=gettext_lazy(
                "The acceptance of “%(title)s” is %(result)s: %(amount)s yuan of the county grant is to be returned."
            ),
            context={"title": application.title, "result": R(result).label, "amount": report.amount_to_return},
            url=item_staff_url(application),
        )
    notify(
        recipients=[application.applicant],
        kind="acceptance_decided",
        subject=gettext_lazy("Acceptance: %(title)s"),
        body=gettext_lazy("The acceptance of “%(title)s” was decided: %(result)s. %(comment)s"),
        context={"title": application.title, "result": R(result).label, "comment": text},
        url=item_url(application),
    )
    return report


@service_atomic
def acceptance_notice_close(*, application: Application, actor: Any) -> Disbursement | None:
    """The public acceptance notice of a passed project closed: the final tranche is requested
    with the amount the accounts support (recomputed now), or, when none is due, the project
    closes. The money to return stays on the file. 409 unless the acceptance passed and waits."""
    application = application_locked(application)
    report = (
        AcceptanceReport.objects.select_for_update()
        .filter(application=application, result=R.PASS)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if report is None or application.status != S.ACCEPTANCE_SUBMITTED:
        raise StateConflict(_("No passed acceptance waits for its notice."))
    money = acceptance_money(application, report)
    report.final_tranche_yuan, report.amount_to_return = money["final_tranche"], money["to_return"]
    report.save(update_fields=["final_tranche_yuan", "amount_to_return"])
    last = len(application.call.tranches)
    data = {"report": report.pk, **{k: str(v) for k, v in money.items()}}
    if money["final_tranche"] > 0 and last > 1:
        audit_record(actor=actor, action="acceptance.notice_closed", target=application, data=data)
        return funding_services.disbursement_request(
            application=application, tranche=last, actor=actor, amount=money["final_tranche"]
        )
    application_transition(application=application, to=S.CLOSED, actor=actor, action="application.close", data=data)
    return None


def acceptance_due(application: Application, today: dt.date | None = None) -> dict[str, Any]:
    """The project's acceptance window, for its pages: the end date, the last day to file, and
    whether it is overdue (the one rule, ``aftergrant.selectors.acceptance_overdue_q``)."""
    from .selectors import acceptance_due_on, acceptance_overdue_q

    today = today or timezone.localdate()
    version = version_in_force(application)
    end = version.ends_on if version is not None else application.end_date
    return {
        "ends_on": end,
        "due_on": acceptance_due_on(end) if end else None,
        "overdue": Application.objects.filter(pk=application.pk).filter(acceptance_overdue_q(today)).exists(),
    }


@service_atomic
def acceptance_set_aside(*, application: Application, actor: Any, objection: Any) -> AcceptanceReport:
    """An objection to a passed project on its acceptance notice was upheld: the pass is set
    aside and staff decide again (the experts' scores and the file stand; the rectify rule
    still holds). The decision that was set aside stays in the audit trail; the notice shows
    the project as set aside. 409 unless the project's pass is on that notice and waits."""
    application = application_locked(application)
    report = (
        AcceptanceReport.objects.select_for_update()
        .filter(application=application, result=R.PASS, notice_id=objection.notice_id)
        .first()
    )
    if report is None or application.status != S.ACCEPTANCE_SUBMITTED:
        raise StateConflict(_("No passed acceptance of this project waits on this notice."))
    audit_record(
        actor=actor,
        action="acceptance.set_aside",
        target=application,
        comment=objection.resolution,
        data={
            "report": report.pk,
            "objection": objection.pk,
            "notice": objection.notice_id,
            "decided_by": report.decided_by_id,
            "decided_at": report.decided_at.isoformat() if report.decided_at else None,
            "comment": report.comment,
        },
    )
    report.result, report.comment, report.decided_by, report.decided_at = "", "", None, None
    report.final_tranche_yuan, report.notice = None, None
    report.save(update_fields=["result", "comment", "decided_by", "decided_at", "final_tranche_yuan", "notice"])
    notify(
        recipients=[application.applicant, *users_with_role("staff")],
        kind="acceptance_decided",
        subject=gettext_lazy("Acceptance set aside after an objection: %(title)s"),
        body=gettext_lazy(
            "An objection to the passed acceptance of “%(title)s” was upheld: %(resolution)s "
            "The bureau decides the acceptance again."
        ),
        context={"title": application.title, "resolution": objection.resolution},
        url=item_url(application),
    )
    return report

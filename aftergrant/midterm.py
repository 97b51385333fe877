"""The mid-term check (中期检查): writes (services) and the reads they share (selectors).

A call with ``midterm`` pays its tranches as: the first at contract, one middle tranche per
passed mid-term check, the last at acceptance. It has ``midterm_checks`` checks, by default one
per middle tranche, ``len(tranches) - 2`` (``applications.services.midterm_rounds``); a pass of
check ``k`` requests tranche ``k + 1`` only while that is a middle tranche, so the passes of any
further checks request nothing. Check ``n`` is due ``n × midterm_months`` after the contract
came into force; its report opens ``PINGSHEN_MIDTERM_OPEN_DAYS`` before that.

The life of one report (``MidtermStatus``)::

    scheduled ──clock── open ──applicant── submitted ──staff──┬─ passed       (a middle tranche next:
        └────applicant (once the open day came)──┘            │                 requested; next check
                                                               │                 scheduled)
                                                               ├─ conditional  (a re-report opens at
                                                               │                once, due by fix_by)
                                                               └─ failed       (no more tranches; staff
                                                                                may terminate)

Every function that changes a report's status is here; each audits and notifies. The
workflow step (``workflow.steps.midterm_submit`` / ``midterm_decide``) holds the flow lock and
completes the viewflow task around them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.recent import require_recent_login
from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from applications.links import item_staff_url, item_url
from applications.models import Application
from applications.selectors import users_with_role
from applications.services import application_locked, midterm_releases_tranche, midterm_rounds, parse_money
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from funding import services as funding_services
from notifications.services import notify

from .enums import MIDTERM_OWED_STATES, ContractStatus, MidtermResult, MidtermStatus
from .models import ContractVersion, MidtermProgress, MidtermReport, MidtermSpending

M = MidtermStatus
MAX_PROBLEMS = 20000


# --- dates ------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the month (31 January + 1 → 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def contract_start(application: Application) -> dt.date:
    """The day the contract came into force: the first version's (a change request's new
    version does not move the checks), else the old one-tick-box signature, else today."""
    first = (
        ContractVersion.objects.filter(application=application, in_force_at__isnull=False)
        .order_by("number")
        .values_list("in_force_at", flat=True)
        .first()
    )
    if first is None:
        from funding.models import Contract

        first = Contract.objects.filter(application=application).values_list("signed_at", flat=True).first()
    return timezone.localdate(first) if first is not None else timezone.localdate()


def midterm_due_on(application: Application, round_: int) -> dt.date:
    return add_months(contract_start(application), application.call.midterm_months * round_)


def version_in_force(application: Application) -> ContractVersion | None:
    return ContractVersion.objects.filter(application=application, status=ContractStatus.IN_FORCE).first()


# --- selectors --------------------------------------------------------------------------------


def midterm_reports_of(application: Application) -> QuerySet[MidtermReport]:
    """The project's reports, oldest first, with what they report (three queries in all)."""
    return (
        MidtermReport.objects.filter(application=application)
        .select_related("decided_by", "submitted_by")
        .prefetch_related(
            Prefetch(
                "progress", queryset=MidtermProgress.objects.select_related("target").order_by("target__position")
            ),
            Prefetch("spending", queryset=MidtermSpending.objects.order_by("id")),
        )
        .order_by("round", "attempt")
    )


def midterm_pending(application: Application) -> MidtermReport | None:
    """The report the project owes or that waits for the check (at most one)."""
    return (
        MidtermReport.objects.filter(application=application, status__in=[M.SCHEDULED, M.OPEN, M.SUBMITTED])
        .order_by("-round", "-attempt")
        .first()
    )


def midterm_latest(application_id: int) -> MidtermReport | None:
    return MidtermReport.objects.filter(application_id=application_id).order_by("-round", "-attempt").first()


def midterm_can_report(report: MidtermReport, today: dt.date | None = None) -> bool:
    """The applicant may report now: the report is open, or its opening day has come (the
    clock may not have run yet)."""
    today = today or timezone.localdate()
    return report.status == M.OPEN or (report.status == M.SCHEDULED and report.opens_on <= today)


def midterm_overdue(today: dt.date | None = None) -> QuerySet[MidtermReport]:
    """Reports owed past their due day, of projects still running: staff chase these."""
    today = today or timezone.localdate()
    return (
        MidtermReport.objects.filter(
            status__in=MIDTERM_OWED_STATES, due_on__lt=today, application__status=ApplicationStatus.CONTRACTED
        )
        .select_related("application", "application__organisation", "application__call", "application__applicant")
        .order_by("due_on", "id")
    )


def midterm_waiting_check() -> QuerySet[MidtermReport]:
    """Reports submitted and waiting for staff's check, oldest first."""
    return (
        MidtermReport.objects.filter(status=M.SUBMITTED)
        .select_related("application", "application__organisation", "application__call")
        .order_by("submitted_at", "id")
    )


def midterm_spent_by_line(report: MidtermReport) -> dict[str, Decimal]:
    return {row.line: row.county_yuan + row.own_yuan + row.other_yuan for row in report.spending.all()}


# --- services ---------------------------------------------------------------------------------


def _open_days() -> int:
    return int(getattr(settings, "PINGSHEN_MIDTERM_OPEN_DAYS", 30))


def _notify_open(report: MidtermReport) -> None:
    application = report.application
    notify(
        recipients=[application.applicant],
        kind="midterm_due",
        subject=gettext_lazy("Mid-term report open: %(title)s"),
        body=gettext_lazy(
            "The mid-term report %(round)s of “%(title)s” is open: report progress per target and spending "
            "per budget line by %(due)s."
        ),
        context={"title": application.title, "round": report.round, "due": f"{report.due_on:%Y-%m-%d}"},
        url=reverse("midterm-report", args=[application.pk]),
        dedupe_key=f"midterm-open:{report.pk}",
    )


@service_atomic
def midterm_schedule(*, application: Application, round_: int, actor: Any = None) -> MidtermReport:
    """Schedule check ``round_`` of a project (after the first tranche is paid, or after the
    previous check passed). Opens it at once when its opening day has already come.
    Side effects: an audit row; the applicant is told when it opens."""
    application = application_locked(application)
    if not application.call.midterm or not 1 <= round_ <= midterm_rounds(application.call):
        raise StateConflict(_("This project has no such mid-term check."))
    if MidtermReport.objects.filter(application=application, round=round_).exists():
        raise StateConflict(_("This mid-term check is already scheduled."))
    due_on = midterm_due_on(application, round_)
    opens_on = due_on - dt.timedelta(days=_open_days())
    status = M.OPEN if opens_on <= timezone.localdate() else M.SCHEDULED
    report = MidtermReport.objects.create(
        application=application,
        round=round_,
        status=status,
        opens_on=opens_on,
        due_on=due_on,
        version=version_in_force(application),
    )
    audit_record(
        actor=actor,
        action="midterm.schedule",
        target=report,
        to_state=status,
        data={"application": application.pk, "round": round_, "due_on": f"{due_on:%Y-%m-%d}"},
    )
    if status == M.OPEN:
        _notify_open(report)
    return report


@service_atomic
def midterm_open(*, report: MidtermReport, today: dt.date | None = None) -> MidtermReport:
    """The clock opens a scheduled report on its opening day and tells the applicant.
    ``StateConflict`` when it is no longer scheduled or not yet due to open."""
    today = today or timezone.localdate()
    report = MidtermReport.objects.select_for_update(of=("self",)).select_related("application").get(pk=report.pk)
    if report.status != M.SCHEDULED or report.opens_on > today:
        raise StateConflict(_("This mid-term report is not waiting to open."))
    report.status = M.OPEN
    report.save(update_fields=["status"])
    audit_record(actor=None, action="midterm.open", target=report, from_state=M.SCHEDULED, to_state=M.OPEN)
    _notify_open(report)
    return report


def _clean_progress(value: Any, version: ContractVersion | None) -> tuple[list[tuple[Any, Decimal]], list[str]]:
    """``[{target, achieved}]``: each target of the contract in force exactly once."""
    targets = {t.pk: t for t in version.targets.all()} if version is not None else {}
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return [], [_("Give the progress as a list of {target, achieved}.")]
    rows: list[tuple[Any, Decimal]] = []
    errors: list[str] = []
    seen: set[int] = set()
    for row in value:
        try:
            target_id = int(row.get("target"))
        except (TypeError, ValueError):
            target_id = -1
        target = targets.get(target_id)
        if target is None:
            errors.append(_("No such target in the contract: %(target)s.") % {"target": row.get("target")})
            continue
        if target_id in seen:
            errors.append(_("The target %(name)s is given twice.") % {"name": target.name})
            continue
        seen.add(target_id)
        try:
            achieved = parse_money(row.get("achieved"), "achieved")
        except ValidationError:
            errors.append(_("Give what was achieved for %(name)s as a number, not negative.") % {"name": target.name})
            continue
        rows.append((target, achieved))
    missing = [t.name for pk, t in targets.items() if pk not in seen]
    if missing and not errors:
        errors.append(_("Report progress on every target: %(names)s.") % {"names": ", ".join(missing)})
    return rows, errors


def _clean_spent(value: Any, version: ContractVersion | None) -> tuple[list[dict[str, Any]], list[str]]:
    """``[{line, county_yuan, own_yuan, other_yuan}]``: lines of the contract's budget, once each."""
    lines = {b.line: b for b in version.budget.all()} if version is not None else {}
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return [], [_("Give the spending as a list of {line, county_yuan, own_yuan, other_yuan}.")]
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for row in value:
        line = str(row.get("line") or "")
        if line not in lines:
            errors.append(_("No such budget line in the contract: %(line)s.") % {"line": line or "—"})
            continue
        if line in seen:
            errors.append(_("The budget line %(line)s is given twice.") % {"line": lines[line].get_line_display()})
            continue
        seen.add(line)
        amounts: dict[str, Any] = {"line": line}
        for name in ("county_yuan", "own_yuan", "other_yuan"):
            try:
                amounts[name] = parse_money(row.get(name, "0") or "0", name)
            except ValidationError:
                errors.append(
                    _("%(line)s: enter the amount in yuan, such as 150000.00.")
                    % {"line": lines[line].get_line_display()}
                )
                break
        else:
            rows.append(amounts)
    return rows, errors


@service_atomic
def midterm_submit(*, application: Application, actor: Any, progress: Any, spent: Any, problems: Any) -> MidtermReport:
    """The applicant reports progress per target, spending per budget line and problems.

    404 for anyone but the applicant; 400 naming ``progress``, ``spent`` or ``problems``; 409
    when no report is owed (none scheduled, or already submitted) or it does not open until
    later (the message gives the dates). Side effects: an audit row; staff are told."""
    application = application_locked(application)
    if application.applicant_id != actor.pk:
        raise NotVisible()
    report = midterm_pending(application)
    if application.status != ApplicationStatus.CONTRACTED or report is None or report.status == M.SUBMITTED:
        raise StateConflict(_("No mid-term report is owed now."))
    if not midterm_can_report(report):
        raise StateConflict(
            _("The mid-term report %(round)s opens on %(opens)s and is due on %(due)s.")
            % {"round": report.round, "opens": f"{report.opens_on:%Y-%m-%d}", "due": f"{report.due_on:%Y-%m-%d}"}
        )
    version = version_in_force(application)
    if version is None:
        raise StateConflict(_("The project has no task contract in force to report against."))
    errors: dict[str, list[str]] = {}
    progress_rows, progress_errors = _clean_progress(progress, version)
    spent_rows, spent_errors = _clean_spent(spent, version)
    if progress_errors:
        errors["progress"] = progress_errors
    if spent_errors:
        errors["spent"] = spent_errors
    text = problems.strip() if isinstance(problems, str) else ""
    if not text:
        errors["problems"] = [_("Describe the problems met and how they are dealt with (or write none).")]
    elif len(text) > MAX_PROBLEMS:
        errors["problems"] = [_("At most 20,000 characters.")]
    if errors:
        raise ValidationError(errors)
    source = report.status
    MidtermProgress.objects.bulk_create(
        [MidtermProgress(report=report, target=target, achieved=achieved) for target, achieved in progress_rows]
    )
    MidtermSpending.objects.bulk_create([MidtermSpending(report=report, **row) for row in spent_rows])
    report.status = M.SUBMITTED
    report.version = version
    report.problems = text
    report.submitted_at, report.submitted_by = timezone.now(), actor
    report.save(update_fields=["status", "version", "problems", "submitted_at", "submitted_by"])
    audit_record(actor=actor, action="midterm.submit", target=report, from_state=source, to_state=M.SUBMITTED)
    notify(
        recipients=users_with_role("staff"),
        kind="midterm_submitted",
        subject=gettext_lazy("Mid-term report to check: %(title)s"),
        body=gettext_lazy("“%(title)s” submitted its mid-term report %(round)s; it waits for the check."),
        context={"title": application.title, "round": report.round},
        url=reverse("midterm-check", args=[application.pk]),
    )
    return report


def _clean_decision(result: Any, comment: Any, fix_by: Any) -> tuple[str, str, dt.date | None]:
    errors: dict[str, list[str]] = {}
    if result not in MidtermResult.values:
        errors["result"] = [_("Choose pass, conditional or fail.")]
    text = comment.strip() if isinstance(comment, str) else ""
    if result in (MidtermResult.CONDITIONAL, MidtermResult.FAIL) and not text:
        errors["comment"] = [_("Say why, so the applicant knows what to do.")]
    day: dt.date | None = None
    if result == MidtermResult.CONDITIONAL:
        if isinstance(fix_by, dt.date):
            day = fix_by
        elif isinstance(fix_by, str) and fix_by:
            try:
                day = dt.date.fromisoformat(fix_by)
            except ValueError:
                day = None
        if day is None:
            errors["fix_by"] = [_("Give the date by which the applicant must report again (YYYY-MM-DD).")]
        elif day <= timezone.localdate():
            errors["fix_by"] = [_("The date to fix by must be after today.")]
    if errors:
        raise ValidationError(errors)
    return str(result), text, day


@service_atomic
def midterm_decide(
    *, application: Application, actor: Any, result: Any, comment: Any = "", fix_by: Any = None
) -> MidtermReport:
    """Staff check the submitted report.

    - pass: the next tranche (``round + 1``) is requested while it is a middle tranche, never
      beyond the amount granted (``funding.services.disbursement_request``); a pass of a later
      check requests nothing. The next check is scheduled if the call has more checks, else the
      project goes on to acceptance;
    - conditional: a re-report of the same check opens at once, due by ``fix_by``;
    - fail: no more tranches are requested; staff are told they may terminate the project.

    403 unless staff (with a recent login); 400 naming ``result``/``comment``/``fix_by``; 409
    when no report waits for the check. Side effects: audit rows; the applicant is told."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff check mid-term reports."))
    require_recent_login(actor)
    result, text, day = _clean_decision(result, comment, fix_by)
    application = application_locked(application)
    report = (
        MidtermReport.objects.select_for_update()
        .filter(application=application, status=M.SUBMITTED)
        .order_by("-round", "-attempt")
        .first()
    )
    if report is None or application.status != ApplicationStatus.CONTRACTED:
        raise StateConflict(_("No mid-term report is waiting for the check."))
    to = {MidtermResult.PASS: M.PASSED, MidtermResult.CONDITIONAL: M.CONDITIONAL, MidtermResult.FAIL: M.FAILED}[
        MidtermResult(result)
    ]
    report.status, report.result, report.comment = to, result, text
    report.fix_by = day
    report.decided_by, report.decided_at = actor, timezone.now()
    fields = ["status", "result", "comment", "fix_by", "decided_by", "decided_at"]
    releases = to == M.PASSED and midterm_releases_tranche(application.call, report.round)
    if releases:
        report.tranche = report.round + 1
        fields.append("tranche")
    report.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=f"midterm.{result}",
        target=report,
        from_state=M.SUBMITTED,
        to_state=to,
        comment=text,
        data={"application": application.pk, "round": report.round, "attempt": report.attempt},
    )
    if to == M.PASSED:
        if releases:
            funding_services.disbursement_request(application=application, tranche=report.round + 1, actor=actor)
        if report.round < midterm_rounds(application.call):
            midterm_schedule(application=application, round_=report.round + 1, actor=actor)
    elif to == M.CONDITIONAL:
        assert day is not None
        follow = MidtermReport.objects.create(
            application=application,
            round=report.round,
            attempt=report.attempt + 1,
            status=M.OPEN,
            opens_on=timezone.localdate(),
            due_on=day,
            version=version_in_force(application),
        )
        audit_record(
            actor=actor,
            action="midterm.reopen",
            target=follow,
            to_state=M.OPEN,
            data={"application": application.pk, "round": follow.round, "attempt": follow.attempt},
        )
    else:
        notify(
            recipients=users_with_role("staff"),
            kind="midterm_decided",
            subject=gettext_lazy("Mid-term check failed: %(title)s"),
            body=gettext_lazy(
                "The mid-term check of “%(title)s” failed: no more tranches will be paid. Terminate the "
                "project if it cannot go on. %(comment)s"
            ),
            context={"title": application.title, "comment": text},
            url=item_staff_url(application),
        )
    notify(
        recipients=[application.applicant],
        kind="midterm_decided",
        subject=gettext_lazy("Mid-term check: %(title)s"),
        body=(
            gettext_lazy("The mid-term check of “%(title)s” is %(result)s. Report again by %(fix_by)s. %(comment)s")
            if day is not None
            else gettext_lazy("The mid-term check of “%(title)s” is %(result)s. %(comment)s")
        ),
        context={
            "title": application.title,
            "result": MidtermResult(result).label,
            "comment": text,
            "fix_by": f"{day:%Y-%m-%d}" if day else "",
        },
        url=item_url(application),
    )
    return report

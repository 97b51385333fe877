"""Writes of the county's upward work. Each service checks who may act, locks what it
changes, writes an audit row and notifies; the flow side (tasks) is ``workflow.steps``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.recent import require_recent_login
from accounts.rules import is_panel, is_staff
from applications.enums import SUBMITTED_STATES, ApplicationStatus, CallKind, ItemKind, ScoringRule
from applications.links import item_url
from applications.models import Application, Call, Programme
from applications.services import application_locked, application_transition, fields_check, parse_money
from audit.services import audit_record
from core.db import service_atomic
from core.errors import StateConflict
from funding.models import FundingDecision
from funding.services import disbursement_request
from notifications.services import notify
from reviews.services import criteria_set

from .enums import AssessmentResult, AwardLevelUp, PutForwardOutcome, UpperAcceptanceResult, UpperLevel
from .models import (
    Assessment,
    AwardPutForward,
    Commissioner,
    CommissionerProject,
    Recommendation,
    Township,
    UpperAcceptance,
    UpperCall,
    UpperMilestone,
    UpperOutcome,
)

S = ApplicationStatus

#: The internal call carries no county budget: the county pays only matching funds, each
#: bounded by its recorded outcome. Its request ceiling is the largest amount we store.
UNBOUNDED_YUAN = Decimal("999999999999.99")
#: Criteria experts score with when the items exceed the quota, unless staff give others.
DEFAULT_CRITERIA: list[dict[str, Any]] = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "feasibility", "label": "可行性", "weight": 25, "max_score": 100},
    {"code": "team", "label": "团队", "weight": 15, "max_score": 100},
    {"code": "benefit", "label": "效益", "weight": 30, "max_score": 100},
]
#: Submitted items still competing for the quota (not rejected or withdrawn).
LIVE_STATES = frozenset(SUBMITTED_STATES - {S.REJECTED, S.TERMINATED})
#: Items the panel cannot yet weigh: still in formal or expert review.
PENDING_STATES = frozenset({S.SUBMITTED, S.RETURNED, S.IN_REVIEW})


def _require_staff(actor: Any, message: str) -> None:
    if not is_staff(actor):
        raise PermissionDenied(message)


# --- higher-level calls ---------------------------------------------------------------------


def _clean_upper_call(
    *, level: Any, title: Any, year: Any, quota: Any, opens_at: Any, closes_at: Any
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if level not in UpperLevel.values:
        errors["level"] = [_("Choose city, province or national.")]
    if not str(title or "").strip():
        errors["title"] = [_("A title is required.")]
    elif len(str(title).strip()) > 200:
        errors["title"] = [_("This text is too long.")]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    if not isinstance(quota, int) or isinstance(quota, bool) or not 1 <= quota <= 1000:
        errors["quota"] = [_("The quota is a whole number between 1 and 1000.")]
    if not isinstance(closes_at, dt.datetime):
        errors["closes_at"] = [_("Give the deadline as a date and time.")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    if errors:
        raise ValidationError(errors)
    return {"level": level, "title": str(title).strip(), "year": year, "quota": quota}


@service_atomic
def upper_call_create(
    *,
    actor: Any,
    level: str,
    programme: Programme,
    title: str,
    year: int,
    quota: int,
    closes_at: dt.datetime,
    opens_at: dt.datetime | None = None,
    commissioner: bool = False,
    criteria: list[dict[str, Any]] | None = None,
    reviewers_per_item: int = 3,
    min_reviews: int = 2,
) -> UpperCall:
    """Record a higher-level call and open its internal call for units' applications.
    Side effects: the internal ``Call`` (``kind = upper``) with its criteria; an audit row."""
    _require_staff(actor, _("Only bureau staff record higher-level calls."))
    opens_at = opens_at or timezone.now()
    clean = _clean_upper_call(level=level, title=title, year=year, quota=quota, opens_at=opens_at, closes_at=closes_at)
    if not 1 <= min_reviews <= reviewers_per_item <= 50:
        raise ValidationError({"min_reviews": [_("At least 1 and at most the reviewers per item.")]})
    call = Call.objects.create(
        programme=programme,
        kind=CallKind.UPPER,
        title=clean["title"],
        year=clean["year"],
        batch=1,
        opens_at=opens_at,
        closes_at=closes_at,
        budget_yuan=UNBOUNDED_YUAN,
        max_request_yuan=UNBOUNDED_YUAN,
        reviewers_per_item=reviewers_per_item,
        min_reviews=min_reviews,
        scoring_rule=ScoringRule.MEAN,
        notice_days=7,
        # The matching funds are paid in one go once the outcome is recorded.
        tranches=[100],
    )
    criteria_set(call=call, criteria=criteria or DEFAULT_CRITERIA)
    upper = UpperCall.objects.create(
        call=call, level=clean["level"], quota=clean["quota"], commissioner=bool(commissioner), created_by=actor
    )
    audit_record(
        actor=actor,
        action="upper_call.create",
        target=upper,
        data={"call": call.pk, "level": upper.level, "quota": upper.quota},
    )
    return upper


@service_atomic
def upper_call_update(
    *,
    upper_call: UpperCall,
    actor: Any,
    level: str,
    programme: Programme,
    title: str,
    quota: int,
    closes_at: dt.datetime,
    commissioner: bool = False,
) -> UpperCall:
    """Change a higher-level call's terms. The quota is fixed once the panel has recommended."""
    _require_staff(actor, _("Only bureau staff record higher-level calls."))
    upper = UpperCall.objects.select_for_update().select_related("call").get(pk=upper_call.pk)
    call = upper.call
    clean = _clean_upper_call(
        level=level, title=title, year=call.year, quota=quota, opens_at=call.opens_at, closes_at=closes_at
    )
    if quota != upper.quota and Recommendation.objects.filter(application__call=call).exists():
        raise StateConflict(_("The panel has recommended under this quota; it can no longer change."))
    call.title, call.closes_at, call.programme = clean["title"], closes_at, programme
    call.save(update_fields=["title", "closes_at", "programme"])
    upper.level, upper.quota, upper.commissioner = clean["level"], clean["quota"], bool(commissioner)
    upper.save(update_fields=["level", "quota", "commissioner"])
    audit_record(actor=actor, action="upper_call.update", target=upper, data={"quota": upper.quota})
    return upper


def upper_call_of(application: Application) -> UpperCall:
    upper = UpperCall.objects.filter(call_id=application.call_id).first()
    if upper is None:
        raise StateConflict(_("This item is not of a higher-level call."))
    return upper


def upper_live_count(call: Call) -> int:
    return Application.objects.filter(call=call, status__in=LIVE_STATES).count()


@service_atomic
def upper_item_to_panel(*, application: Application, actor: Any) -> Application:
    """Send an accepted item to the panel without expert ranking: allowed once the call has
    closed and only while its live items fit in the quota (beyond it, experts rank them; 409)."""
    _require_staff(actor, _("Only bureau staff send items to the panel."))
    application = application_locked(application)
    upper = upper_call_of(application)
    if application.status != S.IN_REVIEW:
        raise StateConflict(_("Only an item that passed formal review goes to the panel."))
    if application.assignments.exists():
        raise StateConflict(_("Experts are assigned to this item: their reviews rank it."))
    if application.call.is_open():
        # Whether the items exceed the quota is known only once no more can come.
        raise StateConflict(_("The call takes applications until its deadline; close it first."))
    live = upper_live_count(application.call)
    if live > upper.quota:
        raise StateConflict(
            _("%(live)s items compete for a quota of %(quota)s: experts rank them first.")
            % {"live": live, "quota": upper.quota}
        )
    return application_transition(
        application=application, to=S.REVIEWED, actor=actor, action="upper.to_panel", data={"quota": upper.quota}
    )


@service_atomic
def upper_recommend(*, upper_call: UpperCall, actor: Any, items: list[Any], comment: str = "") -> list[Application]:
    """The panel recommends ``items`` within the county's quota; every other reviewed item of
    the call is not recommended (one decision, as the list the county sends up is one).

    Refused: 403 for anyone but the panel; 400 for an id that is not a reviewed item of this
    call; 409 while an item is still in formal or expert review, and beyond the quota (counted
    with any recommended before, under the call's row lock). Side effects: ``Recommendation``
    rows, status changes with audit rows, a notification to each applicant. Returns the items
    decided now. The caller (``workflow.steps.upper_recommend``) holds their process locks."""
    if not is_panel(actor):
        raise PermissionDenied(_("Only the panel recommends."))
    require_recent_login(actor)
    if not isinstance(items, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise ValidationError({"items": [_("Give the ids of the items to recommend, as a list.")]})
    upper = UpperCall.objects.select_related("call").get(pk=upper_call.pk)
    # The call's row lock serialises two recommendations of one call (the quota holds).
    call = Call.objects.select_for_update().get(pk=upper.call_id)
    wanted = list(dict.fromkeys(items))
    reviewed = {a.pk: a for a in Application.objects.select_for_update().filter(call=call, status=S.REVIEWED)}
    if not reviewed:
        raise StateConflict(_("No reviewed item of this call waits for a recommendation."))
    unknown = [pk for pk in wanted if pk not in reviewed]
    if unknown:
        raise ValidationError(
            {"items": [_("Not a reviewed item of this call: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]}
        )
    if Application.objects.filter(call=call, status__in=PENDING_STATES).exists():
        raise StateConflict(_("Some items are still in formal or expert review; recommend once all are ranked."))
    before = Application.objects.filter(call=call, recommendation__recommended=True).count()
    if before + len(wanted) > upper.quota:
        raise StateConflict(
            _("The county may recommend %(quota)s items to this call; %(asked)s would exceed it.")
            % {"quota": upper.quota, "asked": before + len(wanted)}
        )
    decided = []
    for pk, application in sorted(reviewed.items()):
        recommended = pk in wanted
        Recommendation.objects.create(
            application=application, recommended=recommended, comment=comment or "", decided_by=actor
        )
        application_transition(
            application=application,
            to=S.RECOMMENDED if recommended else S.NOT_RECOMMENDED,
            actor=actor,
            action="upper.recommend" if recommended else "upper.not_recommend",
            comment=comment or "",
        )
        notify(
            recipients=[application.applicant],
            kind="upper_recommendation",
            subject=gettext_lazy("Higher-level call: %(title)s"),
            body=gettext_lazy("“%(title)s” was recommended to %(call)s.")
            if recommended
            else gettext_lazy("“%(title)s” was not among the items recommended to %(call)s."),
            context={"title": application.title, "call": call.title},
            url=item_url(application),
        )
        decided.append(application)
    return decided


@service_atomic
def upper_outcome_record(
    *, application: Application, actor: Any, funded: Any, upper_yuan: Any = 0, matching_yuan: Any = 0, comment: str = ""
) -> UpperOutcome:
    """Staff record the higher level's answer on a recommended item, with the county's
    matching funds (配套). Those become the item's ``approved_yuan`` and are requested at once
    for the two-person finance approval (``funding.services.disbursement_request``), which
    never pays more. Refused: 400 for amounts that do not fit the answer; 409 unless the item
    is recommended and has no outcome yet. Side effects: audit row, notification."""
    _require_staff(actor, _("Only bureau staff record outcomes."))
    require_recent_login(actor)
    if not isinstance(funded, bool):
        raise ValidationError({"funded": [_("Say whether the higher level funded it (true or false).")]})
    upper = parse_money(upper_yuan if upper_yuan not in (None, "") else 0, "upper_yuan")
    matching = parse_money(matching_yuan if matching_yuan not in (None, "") else 0, "matching_yuan")
    application = application_locked(application)
    upper_call_of(application)
    if application.status != S.RECOMMENDED or UpperOutcome.objects.filter(application=application).exists():
        raise StateConflict(_("Only a recommended item without an outcome can have one recorded."))
    errors: dict[str, list[str]] = {}
    if funded and upper <= 0:
        errors["upper_yuan"] = [_("Give the amount the higher level granted.")]
    if not funded and upper:
        errors["upper_yuan"] = [_("An item that was not funded has no higher-level amount.")]
    if not funded and matching:
        errors["matching_yuan"] = [_("Matching funds go only to funded items.")]
    if matching > application.requested_yuan:
        errors["matching_yuan"] = [
            _("Matching funds cannot exceed the %(amount)s yuan requested.") % {"amount": application.requested_yuan}
        ]
    if errors:
        raise ValidationError(errors)
    outcome = UpperOutcome.objects.create(
        application=application,
        funded=funded,
        upper_yuan=upper,
        matching_yuan=matching,
        comment=comment or "",
        recorded_by=actor,
    )
    application.approved_yuan = matching if matching else None
    application_transition(
        application=application,
        to=S.UPPER_FUNDED if funded else S.UPPER_NOT_FUNDED,
        actor=actor,
        action="upper.outcome",
        comment=comment or "",
        data={"upper_yuan": str(upper), "matching_yuan": str(matching)},
        extra_fields=("approved_yuan",),
    )
    if matching:
        disbursement_request(application=application, tranche=1, actor=actor)
    notify(
        recipients=[application.applicant],
        kind="upper_outcome",
        subject=gettext_lazy("Higher-level result: %(title)s"),
        body=gettext_lazy("“%(title)s” was funded by the higher level with %(amount)s yuan.")
        if funded
        else gettext_lazy("“%(title)s” was not funded by the higher level."),
        context={"title": application.title, "amount": upper},
        url=item_url(application),
    )
    return outcome


# --- county-organised milestones and acceptance -------------------------------------------------


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("This date is in the future.")]})


def _followup_open(application: Application) -> Application:
    """The funded upward project, locked; 409 unless funded and not yet accepted."""
    application = application_locked(application)
    upper_call_of(application)
    if application.status != S.UPPER_FUNDED:
        raise StateConflict(_("Only a project the higher level funded has milestones and an acceptance."))
    if UpperAcceptance.objects.filter(application=application).exists():
        raise StateConflict(_("The project's acceptance is recorded; its follow-up is closed."))
    return application


def _tell_applicant(application: Application, body: Any, context: dict[str, Any]) -> None:
    notify(
        recipients=[application.applicant],
        kind="upper_followup",
        subject=gettext_lazy("Higher-level project: %(title)s"),
        body=body,
        context={"title": application.title, **context},
        url=item_url(application),
    )


@service_atomic
def upper_milestone_add(*, application: Application, actor: Any, name: Any, due: Any) -> UpperMilestone:
    """Staff set a milestone (name, due date) of a project the higher level funded.
    Refused: 400 without a name or a date, or a name the project has already; 409 unless the
    project is funded and not yet accepted. Side effects: audit row, the applicant told."""
    _require_staff(actor, _("Only bureau staff follow higher-level projects."))
    name = str(name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the milestone.")]
    elif len(name) > 200:
        errors["name"] = [_("This text is too long.")]
    if errors:
        raise ValidationError(errors)
    due_day = _as_date(due, "due")
    application = _followup_open(application)
    if UpperMilestone.objects.filter(application=application, name=name).exists():
        raise ValidationError({"name": [_("The project has a milestone of this name already.")]})
    milestone = UpperMilestone.objects.create(application=application, name=name, due=due_day, created_by=actor)
    audit_record(
        actor=actor,
        action="upper.milestone_add",
        target=application,
        data={"milestone": milestone.pk, "name": name, "due": due_day.isoformat()},
    )
    _tell_applicant(
        application,
        gettext_lazy("Milestone “%(name)s” of “%(title)s” is due on %(due)s."),
        {"name": name, "due": due_day.isoformat()},
    )
    return milestone


@service_atomic
def upper_milestone_done(*, milestone: UpperMilestone, actor: Any, done_at: Any) -> UpperMilestone:
    """Staff record the day a milestone was done (today or before). Refused: 400 for a date
    to come; 409 once done, or when the project is accepted. Side effects: audit row, the
    applicant told."""
    _require_staff(actor, _("Only bureau staff follow higher-level projects."))
    day = _as_date(done_at, "done_at")
    _not_future(day, "done_at")
    _followup_open(milestone.application)
    milestone = UpperMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        raise StateConflict(_("This milestone is already done."))
    milestone.done_at = day
    milestone.save(update_fields=["done_at"])
    audit_record(
        actor=actor,
        action="upper.milestone_done",
        target=milestone.application,
        data={"milestone": milestone.pk, "name": milestone.name, "done_at": day.isoformat()},
    )
    _tell_applicant(
        milestone.application,
        gettext_lazy("Milestone “%(name)s” of “%(title)s” is recorded as done on %(day)s."),
        {"name": milestone.name, "day": day.isoformat()},
    )
    return milestone


@service_atomic
def upper_acceptance_record(
    *,
    application: Application,
    actor: Any,
    result: Any,
    accepted_on: Any,
    organised_by: Any,
    comment: str = "",
) -> UpperAcceptance:
    """The county-organised acceptance of a project the higher level funded: passed or
    failed, its date (today or before) and who organised it. A pass needs every milestone
    done. Refused: 400 for a result, date or organiser that does not fit; 409 unless the
    project is funded, not yet accepted and (for a pass) has no milestone still open.
    Side effects: audit row, the applicant told. The project's status stays "funded by the
    higher level": the acceptance is the county's record, not a step of the higher level's."""
    _require_staff(actor, _("Only bureau staff follow higher-level projects."))
    errors: dict[str, list[str]] = {}
    if result not in UpperAcceptanceResult.values:
        errors["result"] = [_("Choose passed or failed.")]
    organiser = str(organised_by or "").strip()
    if not organiser:
        errors["organised_by"] = [_("Say who organised the acceptance.")]
    elif len(organiser) > 200:
        errors["organised_by"] = [_("This text is too long.")]
    if errors:
        raise ValidationError(errors)
    day = _as_date(accepted_on, "accepted_on")
    _not_future(day, "accepted_on")
    application = _followup_open(application)
    open_ones = UpperMilestone.objects.filter(application=application, done_at__isnull=True).count()
    if result == UpperAcceptanceResult.PASSED and open_ones:
        raise StateConflict(
            ngettext(
                "%(n)s milestone is still open: record it done before the project passes.",
                "%(n)s milestones are still open: record them done before the project passes.",
                open_ones,
            )
            % {"n": open_ones}
        )
    acceptance = UpperAcceptance.objects.create(
        application=application,
        result=result,
        accepted_on=day,
        organised_by=organiser,
        comment=(comment or "").strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="upper.acceptance",
        target=application,
        comment=acceptance.comment,
        data={"result": result, "accepted_on": day.isoformat(), "organised_by": organiser},
    )
    _tell_applicant(
        application,
        gettext_lazy("“%(title)s” passed its acceptance on %(day)s.")
        if result == UpperAcceptanceResult.PASSED
        else gettext_lazy("“%(title)s” did not pass its acceptance on %(day)s."),
        {"day": day.isoformat()},
    )
    return acceptance


# --- commissioners ------------------------------------------------------------------------------


def township_get_or_create(*, name: str, order: int = 0) -> Township:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"township": [_("Name the township.")]})
    township, _created = Township.objects.get_or_create(name=name[:60], defaults={"order": order})
    return township


def _clean_commissioner(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    level = data.get("level") or UpperLevel.PROVINCE
    if level not in UpperLevel.values:
        errors["level"] = [_("Choose city, province or national.")]
    start, end = data.get("term_start"), data.get("term_end")
    if not isinstance(start, dt.date):
        errors["term_start"] = [_("Enter a date as YYYY-MM-DD.")]
    if not isinstance(end, dt.date):
        errors["term_end"] = [_("Enter a date as YYYY-MM-DD.")]
    elif isinstance(start, dt.date) and end < start:
        errors["term_end"] = [_("The term must end after it starts.")]
    field = str(data.get("field") or "").strip()
    if not field:
        errors["field"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:60],
        "organisation": str(data.get("organisation") or "").strip()[:200],
        "level": level,
        "field": field,
        "term_start": start,
        "term_end": end,
    }


@service_atomic
def commissioner_create(*, actor: Any, township: str, **data: Any) -> Commissioner:
    """A commissioner with a township, a field of the vocabulary and a term."""
    _require_staff(actor, _("Only bureau staff manage commissioners."))
    clean = _clean_commissioner(data)
    fields_check(codes=[clean["field"]], key="field")
    commissioner = Commissioner.objects.create(township=township_get_or_create(name=township), **clean)
    audit_record(actor=actor, action="commissioner.create", target=commissioner)
    return commissioner


@service_atomic
def commissioner_update(*, commissioner: Commissioner, actor: Any, township: str, **data: Any) -> Commissioner:
    _require_staff(actor, _("Only bureau staff manage commissioners."))
    commissioner = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    clean = _clean_commissioner(data)
    fields_check(codes=[clean["field"]], key="field", keep=[commissioner.field])
    for name, value in clean.items():
        setattr(commissioner, name, value)
    commissioner.township = township_get_or_create(name=township)
    commissioner.save()
    audit_record(actor=actor, action="commissioner.update", target=commissioner)
    return commissioner


@service_atomic
def assessment_record(
    *, commissioner: Commissioner, actor: Any, year: Any, result: Any, comment: str = ""
) -> Assessment:
    """The year's assessment (考核) of a commissioner; recorded once per year (409 again)."""
    _require_staff(actor, _("Only bureau staff assess commissioners."))
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    if result not in AssessmentResult.values:
        errors["result"] = [_("Choose excellent, qualified or unqualified.")]
    if errors:
        raise ValidationError(errors)
    commissioner = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    if Assessment.objects.filter(commissioner=commissioner, year=year).exists():
        raise StateConflict(_("This commissioner's assessment for that year is already recorded."))
    assessment = Assessment.objects.create(
        commissioner=commissioner, year=year, result=result, comment=comment or "", assessed_by=actor
    )
    audit_record(actor=actor, action="commissioner.assess", target=commissioner, data={"year": year, "result": result})
    return assessment


@service_atomic
def commissioner_project_set(
    *, application: Application, actor: Any, commissioner: Commissioner, base: str = ""
) -> CommissionerProject:
    """Name the commissioner who leads an item of a commissioner call (and its base); naming
    another moves the item to them. Refused: 409 for an item of another call or still a draft.
    Side effects: an audit row (with the commissioner before, if any), the applicant told."""
    _require_staff(actor, _("Only bureau staff manage commissioners."))
    application = application_locked(application)
    if not upper_call_of(application).commissioner:
        raise StateConflict(_("Only items of a commissioner call have a commissioner."))
    if application.status == S.DRAFT:
        raise StateConflict(_("The item is not submitted yet."))
    before = (
        CommissionerProject.objects.filter(application=application).values_list("commissioner_id", flat=True).first()
    )
    project, _created = CommissionerProject.objects.update_or_create(
        application=application, defaults={"commissioner": commissioner, "base": (base or "").strip()[:200]}
    )
    audit_record(
        actor=actor,
        action="commissioner.project",
        target=application,
        data={"commissioner": commissioner.pk, "before": before, "base": project.base},
    )
    notify(
        recipients=[application.applicant],
        kind="commissioner_project",
        subject=gettext_lazy("Commissioner project: %(title)s"),
        body=gettext_lazy("The commissioner %(name)s leads “%(title)s”."),
        context={"title": application.title, "name": commissioner.name},
        url=item_url(application),
    )
    return project


# --- awards put forward -------------------------------------------------------------------------


@service_atomic
def award_put_forward(
    *,
    actor: Any,
    level: Any,
    award: str,
    year: Any,
    nomination: Application | None = None,
    title: str = "",
    unit: str = "",
) -> AwardPutForward:
    """Put a county award winner forward for a city or provincial award: a nomination that
    won in Pingshen (409 unless it did), or, without one, a winner of an earlier round named
    by its title and unit. Side effect: an audit row."""
    _require_staff(actor, _("Only bureau staff put winners forward."))
    errors: dict[str, list[str]] = {}
    if level not in AwardLevelUp.values:
        errors["level"] = [_("Choose city or province.")]
    award = (award or "").strip()
    if not award:
        errors["award"] = [_("Name the award.")]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    if nomination is None and not (title or "").strip():
        errors["title"] = [_("Name the achievement, or give its nomination.")]
    if nomination is None and not (unit or "").strip():
        errors["unit"] = [_("Name the unit, or give its nomination.")]
    if errors:
        raise ValidationError(errors)
    if nomination is not None:
        nomination = application_locked(nomination)
        won = FundingDecision.objects.filter(application=nomination, fund=True, level__isnull=False).exists()
        if nomination.kind != ItemKind.NOMINATION or nomination.status not in (S.GRANTED, S.CLOSED) or not won:
            raise StateConflict(_("Only a county award winner can be put forward."))
        title = nomination.title
        unit = (nomination.units or [nomination.organisation.name])[0]
    title, unit = title.strip()[:200], unit.strip()[:200]
    if AwardPutForward.objects.filter(title=title, level=level, award=award).exists():
        raise StateConflict(_("This winner is already put forward for that award."))
    item = AwardPutForward.objects.create(
        nomination=nomination, title=title, unit=unit, level=level, award=award[:200], year=year, created_by=actor
    )
    audit_record(actor=actor, action="award.put_forward", target=item, data={"level": level, "award": award})
    return item


@service_atomic
def award_put_forward_outcome(*, item: AwardPutForward, actor: Any, awarded: Any, grade: Any = None) -> AwardPutForward:
    """The result of a put-forward winner: awarded with a grade (1–3), or not."""
    _require_staff(actor, _("Only bureau staff record results."))
    if not isinstance(awarded, bool):
        raise ValidationError({"awarded": [_("Say whether it was awarded (true or false).")]})
    if awarded and (not isinstance(grade, int) or isinstance(grade, bool) or not 1 <= grade <= 3):
        raise ValidationError({"grade": [_("Give the grade won, 1 to 3.")]})
    item = AwardPutForward.objects.select_for_update().get(pk=item.pk)
    if item.outcome != PutForwardOutcome.PENDING:
        raise StateConflict(_("The result is already recorded."))
    item.outcome = PutForwardOutcome.AWARDED if awarded else PutForwardOutcome.NOT_AWARDED
    item.grade = grade if awarded else None
    item.decided_at = timezone.now()
    item.save(update_fields=["outcome", "grade", "decided_at"])
    audit_record(actor=actor, action="award.put_forward_outcome", target=item, data={"outcome": item.outcome})
    return item

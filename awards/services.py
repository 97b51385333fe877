"""Writes for progress awards: rounds with their levels, nominations, the committee's
decision within each level's quota, granting after the notice, and the publish check.

A round is a ``Call`` and a nomination an ``Application`` (see ``awards.models``): the
generic services (submission, formal review, the draw, reviews, notices, payments) serve
them unchanged, and only what is particular to awards is written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.recent import require_recent_login
from accounts.rules import is_panel, is_staff
from accounts.selectors import refuse_while_pending
from accounts.services import organisation_get_or_create
from applications.enums import EDITABLE_STATES, ApplicationStatus, CallKind, ItemKind
from applications.links import item_url
from applications.models import Application, Call, Programme
from applications.rules import can_apply, can_edit_application
from applications.services import (
    application_locked,
    application_transition,
    call_editable_conflict,
    call_validate,
    fields_check,
    parse_money,
    required_documents_clean,
)
from audit.services import audit_record
from core.db import service_atomic
from core.errors import StateConflict
from core.grants import grant_user_object_perms
from core.money import to_wan, yuan
from funding.enums import COMMITTED_DISBURSEMENT_STATES, DisbursementStatus
from funding.models import Disbursement, FundingDecision
from funding.services import disbursement_request
from notifications.services import notify
from reviews.services import criteria_set

from .models import LEVELS, AwardLevel, AwardRound, Nomination

S = ApplicationStatus
AWARD_PROGRAMME_CODE = "award"
#: Awarded and still standing: on notice, granted, or paid and closed.
AWARDED_STATES = frozenset({S.AWARDED, S.GRANTED, S.CLOSED})
#: A nomination in these states still waits for formal review, experts or the committee.
UNDECIDED_STATES = frozenset({S.SUBMITTED, S.RETURNED, S.IN_REVIEW, S.REVIEWED})

MAX_UNITS = 20
MAX_PERSONS = 50


def award_programme() -> Programme:
    """The programme every award round belongs to (科技进步奖), made on first use."""
    programme, _created = Programme.objects.get_or_create(
        code=AWARD_PROGRAMME_CODE, defaults={"name": "科技进步奖 / S&T progress award"}
    )
    return programme


# --- rounds ------------------------------------------------------------------------------------


def _clean_levels(levels: Any) -> list[tuple[int, int, Decimal]]:
    """[{level, quota, bonus_yuan}] → [(level, quota, bonus)], checked; errors under ``levels``."""
    if not isinstance(levels, list) or not levels:
        raise ValidationError({"levels": [_("Give at least one level with its quota and bonus.")]})
    cleaned: list[tuple[int, int, Decimal]] = []
    for row in levels:
        if not isinstance(row, dict):
            raise ValidationError({"levels": [_("Each level is {level, quota, bonus_yuan}.")]})
        level, quota = row.get("level"), row.get("quota")
        if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
            raise ValidationError({"levels": [_("A level is 1, 2 or 3.")]})
        if isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= 10000:
            raise ValidationError({"levels": [_("A quota is a whole number from 0 to 10,000.")]})
        try:
            bonus = parse_money(row.get("bonus_yuan"), "bonus_yuan", allow_zero=False)
        except ValidationError as exc:
            raise ValidationError({"levels": exc.messages}) from None
        if any(level == seen for seen, _q, _b in cleaned):
            raise ValidationError({"levels": [_("Level %(level)s is given twice.") % {"level": level}]})
        cleaned.append((level, quota, bonus))
    if sum(quota for _l, quota, _b in cleaned) == 0:
        raise ValidationError({"levels": [_("At least one level needs a quota above zero.")]})
    return sorted(cleaned)


def _round_terms(
    *,
    title: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    levels: Any,
    reviewers_per_item: int,
    min_reviews: int,
    scoring_rule: str,
    blind: bool,
    notice_days: int,
    review_days: int,
    spread_threshold: Decimal,
) -> tuple[list[tuple[int, int, Decimal]], dict[str, Any]]:
    """A round's levels and its call fields, checked the same for create and edit. The
    budget is what the levels can pay (Σ quota × bonus); each award is paid in one tranche."""
    if not (title or "").strip():
        raise ValidationError({"title": [_("A title is required.")]})
    cleaned = _clean_levels(levels)
    budget = yuan(sum((quota * bonus for _l, quota, bonus in cleaned), Decimal("0")))
    largest = max(bonus for _l, _q, bonus in cleaned)
    fields: dict[str, Any] = {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "budget_yuan": budget,
        "max_request_yuan": largest,
        "reviewers_per_item": reviewers_per_item,
        "min_reviews": min_reviews,
        "scoring_rule": scoring_rule,
        "notice_days": notice_days,
        "tranches": [100],
        "year": year,
        "batch": 1,
    }
    call_validate(**fields)
    fields.update(title=title.strip(), blind=blind, review_days=review_days, spread_threshold=spread_threshold)
    return cleaned, fields


def _levels_data(cleaned: list[tuple[int, int, Decimal]]) -> dict[str, Any]:
    return {"levels": [{"level": lv, "quota": q, "bonus_yuan": str(b)} for lv, q, b in cleaned]}


@service_atomic
def award_round_create(
    *,
    actor: Any,
    title: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    levels: Any,
    criteria: list[dict[str, Any]],
    reviewers_per_item: int = 5,
    min_reviews: int = 3,
    scoring_rule: str = "mean",
    blind: bool = False,
    notice_days: int = 7,
    review_days: int = 14,
    spread_threshold: Decimal = Decimal("20"),
    required_documents: Any = None,
) -> AwardRound:
    """Open an award round: a call of kind ``award`` with its levels and criteria.

    Side effects: the award programme on first use, criteria, an audit row.
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage award rounds."))
    cleaned, fields = _round_terms(
        title=title,
        year=year,
        opens_at=opens_at,
        closes_at=closes_at,
        levels=levels,
        reviewers_per_item=reviewers_per_item,
        min_reviews=min_reviews,
        scoring_rule=scoring_rule,
        blind=blind,
        notice_days=notice_days,
        review_days=review_days,
        spread_threshold=spread_threshold,
    )
    fields["required_documents"] = required_documents_clean(required_documents)
    award_round = AwardRound(kind=CallKind.AWARD, programme=award_programme(), **fields)
    award_round.save()
    AwardLevel.objects.bulk_create(
        AwardLevel(round=award_round, level=level, quota=quota, bonus_yuan=bonus) for level, quota, bonus in cleaned
    )
    criteria_set(call=award_round, criteria=criteria)
    audit_record(actor=actor, action="award_round.create", target=award_round, data=_levels_data(cleaned))
    return award_round


@service_atomic
def award_round_update(
    *,
    award_round: AwardRound,
    actor: Any,
    title: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    levels: Any,
    criteria: list[dict[str, Any]],
    reviewers_per_item: int = 5,
    min_reviews: int = 3,
    scoring_rule: str = "mean",
    blind: bool = False,
    notice_days: int = 7,
    review_days: int = 14,
    spread_threshold: Decimal = Decimal("20"),
    required_documents: Any = None,
) -> AwardRound:
    """Change a round's terms, levels and criteria until it opens (then 409 with the reason,
    as for a call). Side effects: levels and criteria replaced, an audit row."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage award rounds."))
    award_round = AwardRound.objects.select_for_update().get(pk=award_round.pk)
    conflict = call_editable_conflict(award_round)
    if conflict:
        raise StateConflict(conflict)
    cleaned, fields = _round_terms(
        title=title,
        year=year,
        opens_at=opens_at,
        closes_at=closes_at,
        levels=levels,
        reviewers_per_item=reviewers_per_item,
        min_reviews=min_reviews,
        scoring_rule=scoring_rule,
        blind=blind,
        notice_days=notice_days,
        review_days=review_days,
        spread_threshold=spread_threshold,
    )
    if required_documents is not None:  # kept as they are unless given
        fields["required_documents"] = required_documents_clean(required_documents)
    for name, value in fields.items():
        setattr(award_round, name, value)
    award_round.save()
    AwardLevel.objects.filter(round=award_round).delete()
    AwardLevel.objects.bulk_create(
        AwardLevel(round=award_round, level=level, quota=quota, bonus_yuan=bonus) for level, quota, bonus in cleaned
    )
    criteria_set(call=award_round, criteria=criteria)
    audit_record(actor=actor, action="award_round.update", target=award_round, data=_levels_data(cleaned))
    return award_round


# --- nominations ---------------------------------------------------------------------------


def _clean_units(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise ValidationError({"units": [_("List the completing units in order.")]})
    units = [str(u).strip() for u in value if isinstance(u, str | int) and str(u).strip()]
    if not units:
        raise ValidationError({"units": [_("Name at least the lead completing unit.")]})
    if len(units) > MAX_UNITS:
        raise ValidationError({"units": [_("At most %(n)s completing units.") % {"n": MAX_UNITS}]})
    if any(len(u) > 200 for u in units):
        raise ValidationError({"units": [_("A unit's name is at most 200 characters.")]})
    return units


def _clean_persons(value: Any) -> list[dict[str, str]]:
    """Persons in order of contribution: each a name, or {name, organisation?, role?}."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise ValidationError({"persons": [_("List the persons in order of contribution.")]})
    persons: list[dict[str, str]] = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name", ""), str):
            raise ValidationError({"persons": [_("Each person is a name or {name, organisation, role}.")]})
        name = entry.get("name", "").strip()
        if not name:
            continue
        person = {"name": name[:100]}
        for key in ("organisation", "role"):
            extra = entry.get(key)
            if isinstance(extra, str) and extra.strip():
                person[key] = extra.strip()[:200]
        persons.append(person)
    if not persons:
        raise ValidationError({"persons": [_("Name at least the first completing person.")]})
    if len(persons) > MAX_PERSONS:
        raise ValidationError({"persons": [_("At most %(n)s persons.") % {"n": MAX_PERSONS}]})
    return persons


def _clean_nomination(data: dict[str, Any], *, partial: bool, current_field: str = "") -> dict[str, Any]:
    allowed = {"title", "summary", "field", "units", "persons"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("This field cannot be changed here.")]})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, limit in (("title", 200), ("field", 60)):
        if name in data or not partial:
            value = data.get(name)
            value = value.strip() if isinstance(value, str) else ""
            if not value:
                errors[name] = [_("This field is required.")]
            elif len(value) > limit:
                errors[name] = [_("This text is too long.")]
            cleaned[name] = value
    if cleaned.get("field") and "field" not in errors:
        try:
            fields_check(codes=[cleaned["field"]], key="field", keep=[current_field] if current_field else [])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "summary" in data:
        raw_summary = data.get("summary")
        summary = raw_summary if isinstance(raw_summary, str) else ""
        if len(summary) > 20000:
            errors["summary"] = [_("The summary is limited to 20,000 characters.")]
        cleaned["summary"] = summary
    for name, clean in (("units", _clean_units), ("persons", _clean_persons)):
        if name in data or not partial:
            try:
                cleaned[name] = clean(data.get(name))
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lead_unit(name: str) -> Organisation:
    """The lead completing unit as an organisation, so the draw avoids its experts (回避)."""
    existing = Organisation.objects.filter(name=name).order_by("pk").first()
    return existing or organisation_get_or_create(name=name)


@service_atomic
def nomination_create(*, actor: Any, award_round: Call, **data: Any) -> Nomination:
    """Start a draft nomination. Side effects: guardian grants to the nominator, audit row."""
    if not can_apply(actor):
        raise PermissionDenied(_("Only nominators and applicants may nominate."))
    refuse_while_pending(actor)
    if award_round.kind != CallKind.AWARD:
        raise ValidationError({"round": [_("This is not an award round.")]})
    if not award_round.is_open():
        raise StateConflict(_("This award round is not open for nominations."))
    cleaned = _clean_nomination(data, partial=False)
    nomination = Nomination(
        kind=ItemKind.NOMINATION,
        call=award_round,
        applicant=actor,
        organisation=_lead_unit(cleaned["units"][0]),
        requested_yuan=Decimal("0.00"),
        **cleaned,
    )
    nomination.save()
    # Granted on the concrete row (the proxy has its own content type), where the rules look.
    grant_user_object_perms(
        actor, Application(pk=nomination.pk), ["applications.view_application", "applications.change_application"]
    )
    audit_record(actor=actor, action="nomination.create", target=nomination, to_state=S.DRAFT)
    return nomination


@service_atomic
def nomination_update(*, nomination: Application, actor: Any, **data: Any) -> Application:
    """Change a draft or returned nomination; the lead unit follows the first unit."""
    nomination = Application.objects.select_for_update().get(pk=nomination.pk)
    if nomination.kind != ItemKind.NOMINATION:
        raise StateConflict(_("This is not a nomination."))
    if nomination.applicant_id != actor.pk and not can_edit_application(actor, nomination):
        raise PermissionDenied(_("Only the nominator may change this nomination."))
    if nomination.status not in EDITABLE_STATES:
        raise StateConflict(_("The nomination can only be changed while it is a draft or returned."))
    cleaned = _clean_nomination(data, partial=True, current_field=nomination.field)
    for name, value in cleaned.items():
        setattr(nomination, name, value)
    fields = [*cleaned, "updated_at"]
    if "units" in cleaned:
        nomination.organisation = _lead_unit(cleaned["units"][0])
        fields.append("organisation")
    nomination.save(update_fields=fields)
    audit_record(actor=actor, action="nomination.update", target=nomination, data={"fields": sorted(cleaned)})
    return nomination


# --- the committee's decision ----------------------------------------------------------------


def _level_counts(award_round: Call) -> dict[int, int]:
    """Standing awards per level (a withdrawn, terminated award frees its place)."""
    rows = (
        FundingDecision.objects.filter(application__call=award_round, level__isnull=False)
        .exclude(application__status=S.TERMINATED)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {level: n for level, n in rows}


def _clean_level(level: Any) -> int | None:
    if level is None:
        return None
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise ValidationError({"level": [_("Choose level 1, 2 or 3, or no award.")]})
    return level


@service_atomic
def award_decide(*, nomination: Application, actor: Any, level: Any, comment: str = "") -> FundingDecision:
    """Award a level (its fixed bonus) or no award, never beyond the level's quota.

    The round's call row is locked first, so committee members deciding at the same moment
    queue there: the second one counts the first one's award (committed before the lock is
    released) and gets a 409 once the quota is full.
    """
    if not is_panel(actor):
        raise PermissionDenied(_("Only the award committee decides awards."))
    require_recent_login(actor)
    level = _clean_level(level)
    if nomination.kind != ItemKind.NOMINATION:
        raise StateConflict(_("This is not a nomination; decide it with a funding amount."))
    award_round = Call.objects.select_for_update().get(pk=nomination.call_id)
    nomination = application_locked(nomination)
    if FundingDecision.objects.filter(application=nomination).exists():
        raise StateConflict(_("This nomination has already been decided."))
    if nomination.status != S.REVIEWED:
        raise StateConflict(_("This nomination is not ready for a decision."))
    bonus = Decimal("0.00")
    if level is not None:
        award_level = AwardLevel.objects.filter(round=award_round, level=level).first()
        if award_level is None:
            raise ValidationError({"level": [_("This round has no level %(level)s.") % {"level": level}]})
        if _level_counts(award_round).get(level, 0) >= award_level.quota:
            raise StateConflict(
                _("The quota of level %(level)s (%(quota)s) is full.") % {"level": level, "quota": award_level.quota}
            )
        bonus = award_level.bonus_yuan
    decision = FundingDecision.objects.create(
        application=nomination,
        fund=level is not None,
        level=level,
        approved_yuan=bonus,
        comment=comment or "",
        decided_by=actor,
    )
    nomination.approved_yuan = bonus if level is not None else None
    application_transition(
        application=nomination,
        to=S.AWARDED if level is not None else S.NOT_AWARDED,
        actor=actor,
        action="decision.award" if level is not None else "decision.no_award",
        comment=comment,
        data={"level": level, "bonus_yuan": str(bonus)},
        extra_fields=("approved_yuan",),
    )
    notify(
        recipients=[nomination.applicant],
        kind="decision",
        subject=gettext_lazy("Award decision: %(title)s"),
        body=gettext_lazy("The award committee decided on “%(title)s”: %(outcome)s."),
        context={
            "title": nomination.title,
            "outcome": (_("level %(level)s award") % {"level": level}) if level is not None else _("no award"),
        },
        url=item_url(nomination),
    )
    return decision


# --- the report and the publish check -----------------------------------------------------


@dataclass(frozen=True)
class LevelRow:
    level: int
    quota: int
    count: int
    bonus_yuan: Decimal
    total_yuan: Decimal

    @property
    def left(self) -> int:
        return self.quota - self.count


@dataclass(frozen=True)
class RoundReport:
    award_round: Call
    levels: list[LevelRow]
    total_yuan: Decimal
    awarded: int
    nominations: int
    requested_yuan: Decimal
    paid_yuan: Decimal
    by_status: dict[str, int]

    @property
    def count(self) -> int:
        return sum(row.count for row in self.levels)

    @property
    def total_wan(self) -> Decimal:
        return to_wan(self.total_yuan)


def round_report(award_round: Call) -> RoundReport:
    """Counts and sums per level, computed from the committee's decisions (four queries).

    ``total_yuan`` is what the standing awards are worth; ``requested_yuan`` what was asked of
    finance for them (every bonus requested and not rejected); ``paid_yuan`` what was paid.
    """
    per_level = {
        row["level"]: row
        for row in FundingDecision.objects.filter(application__call=award_round, level__isnull=False)
        .exclude(application__status=S.TERMINATED)
        .values("level")
        .annotate(n=Count("id"), total=Sum("approved_yuan"))
        .order_by()
    }
    levels = [
        LevelRow(
            level=lv.level,
            quota=lv.quota,
            count=per_level.get(lv.level, {}).get("n", 0),
            bonus_yuan=lv.bonus_yuan,
            total_yuan=yuan(per_level.get(lv.level, {}).get("total") or 0),
        )
        for lv in AwardLevel.objects.filter(round=award_round).order_by("level")
    ]
    by_status = dict(
        Application.objects.filter(call=award_round, kind=ItemKind.NOMINATION)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    money = Disbursement.objects.filter(application__call=award_round).aggregate(
        requested=Sum("amount_yuan", filter=Q(status__in=COMMITTED_DISBURSEMENT_STATES)),
        paid=Sum("amount_yuan", filter=Q(status=DisbursementStatus.PAID)),
    )
    return RoundReport(
        award_round=award_round,
        levels=levels,
        total_yuan=yuan(sum((row.total_yuan for row in levels), Decimal("0"))),
        awarded=sum(n for status, n in by_status.items() if status in AWARDED_STATES),
        nominations=sum(by_status.values()),
        requested_yuan=yuan(money["requested"] or 0),
        paid_yuan=yuan(money["paid"] or 0),
        by_status={s.value: by_status.get(s.value, 0) for s in S},
    )


def round_problems(award_round: Call) -> list[str]:
    """Why the round's results cannot be published as they stand (empty when they can).

    The county's own report listed 36 awarded projects whose levels added up to 32: here the
    count per level comes from the decisions, must stay within the quota, must add up to the
    number of awarded nominations, and each award must carry its level's bonus.
    """
    report = round_report(award_round)
    problems: list[str] = []
    for row in report.levels:
        if row.count > row.quota:
            problems.append(
                _("Level %(level)s has %(count)s awards but a quota of %(quota)s.")
                % {"level": row.level, "count": row.count, "quota": row.quota}
            )
        if row.total_yuan != row.bonus_yuan * row.count:
            problems.append(
                _("The awards of level %(level)s do not each carry the level's bonus of %(bonus)s yuan.")
                % {"level": row.level, "bonus": row.bonus_yuan}
            )
    known = {row.level for row in report.levels}
    stray = (
        FundingDecision.objects.filter(application__call=award_round, fund=True)
        .exclude(application__status=S.TERMINATED)
        .filter(Q(level__isnull=True) | ~Q(level__in=known))
        .count()
    )
    if stray:
        problems.append(_("%(n)s awards have no level of this round.") % {"n": stray})
    if report.count + stray != report.awarded:
        problems.append(
            _("%(awarded)s nominations are marked awarded but the levels add up to %(sum)s.")
            % {"awarded": report.awarded, "sum": report.count + stray}
        )
    waiting = sum(n for status, n in report.by_status.items() if status in UNDECIDED_STATES)
    if waiting:
        problems.append(_("%(n)s nominations still wait for formal review, experts or the committee.") % {"n": waiting})
    return problems


def round_publish_check(*, award_round: Call) -> None:
    """409 unless the round's results add up (see :func:`round_problems`). Callers hold the
    round's call row lock, so no decision lands between the check and the notice."""
    problems = round_problems(award_round)
    if problems:
        raise StateConflict(" ".join(problems))


# --- after the notice --------------------------------------------------------------------------


def award_grant(*, nomination: Application, actor: Any) -> Disbursement:
    """The notice closed without the award being withdrawn: grant it and request the bonus
    (one tranche, the level's bonus) for the two-person finance approval. Caller holds the
    nomination's process lock. Side effects: status granted, a disbursement, notifications.
    """
    nomination = application_locked(nomination)
    application_transition(application=nomination, to=S.GRANTED, actor=actor, action="award.grant")
    disbursement = disbursement_request(application=nomination, tranche=1, actor=actor)
    notify(
        recipients=[nomination.applicant],
        kind="award_granted",
        subject=gettext_lazy("Award granted: %(title)s"),
        body=gettext_lazy("The notice has closed; the award of “%(title)s” is granted and its bonus requested."),
        context={"title": nomination.title},
        url=item_url(nomination),
    )
    return disbursement

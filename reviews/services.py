"""Writes for the expert pool, criteria, invitations and reviews."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from accounts.enums import Role
from accounts.rules import is_staff
from accounts.services import organisation_get_or_create, user_create
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from audit.services import audit_record
from core.errors import NotVisible, StateConflict
from notifications.services import notify

from .enums import LOAD_STATES, AssignmentStatus, Recommendation
from .models import Assignment, Conflict, Criterion, Expert, Review
from .rules import is_assigned_expert

A = AssignmentStatus


# --- criteria ----------------------------------------------------------------------------


def criteria_set(*, call: Call, criteria: list[dict[str, Any]]) -> list[Criterion]:
    """Replace a call's criteria. Weights and maxima must be positive, codes unique."""
    if not isinstance(criteria, list) or not criteria:
        raise ValidationError({"criteria": [_("Give at least one criterion.")]})
    seen: set[str] = set()
    rows = []
    for position, item in enumerate(criteria):
        if not isinstance(item, dict):
            raise ValidationError(
                {"criteria": [_("Each criterion is an object with code, label, weight and max_score.")]}
            )
        code = str(item.get("code") or "").strip()
        label = str(item.get("label") or "").strip()
        try:
            weight = Decimal(str(item.get("weight")))
            max_score = Decimal(str(item.get("max_score")))
        except (InvalidOperation, ValueError):
            raise ValidationError({"criteria": [_("Weights and maxima are numbers.")]}) from None
        if not code or not label:
            raise ValidationError({"criteria": [_("Each criterion needs a code and a label.")]})
        if code in seen:
            raise ValidationError({"criteria": [_("Criterion codes must be unique: %(code)s") % {"code": code}]})
        if not weight.is_finite() or weight <= 0 or weight > 1000:
            raise ValidationError({"criteria": [_("Weights must be positive.")]})
        if not max_score.is_finite() or max_score <= 0 or max_score > 1000:
            raise ValidationError({"criteria": [_("Maximum scores must be positive.")]})
        seen.add(code)
        rows.append(
            Criterion(
                call=call,
                code=code[:30],
                label=label[:100],
                guidance=str(item.get("guidance") or ""),
                weight=weight,
                max_score=max_score,
                position=position,
            )
        )
    Criterion.objects.filter(call=call).delete()
    return Criterion.objects.bulk_create(rows)


# --- the pool ---------------------------------------------------------------------------


@transaction.atomic
def expert_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str,
    name: str,
    organisation: dict[str, Any] | None,
    fields: list[str],
    title: str = "",
    region: str = "",
    load_limit: int = 10,
) -> Expert:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))
    if not (name or "").strip():
        raise ValidationError({"name": [_("A name is required.")]})
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f.strip() for f in fields):
        raise ValidationError({"fields": [_("Give the expert's fields as a list of words.")]})
    org = None
    if organisation:
        org = organisation_get_or_create(
            name=str(organisation.get("name") or ""),
            credit_code=str(organisation.get("credit_code") or ""),
            kind=str(organisation.get("kind") or "other"),
        )
    user = user_create(
        username=username,
        password=password,
        email=email,
        roles=[Role.EXPERT],
        organisation=org,
        display_name=name.strip(),
        actor=actor,
    )
    expert = Expert.objects.create(
        user=user,
        name=name.strip(),
        organisation=org,
        fields=[f.strip() for f in fields],
        title=title,
        region=region,
        load_limit=load_limit,
    )
    audit_record(actor=actor, action="expert.create", target=expert)
    return expert


@transaction.atomic
def conflict_declare(*, expert: Expert, actor: Any, organisation_name: str, reason: str = "") -> Conflict:
    if not (is_staff(actor) or expert.user_id == actor.pk):
        raise NotVisible()
    organisation_name = (organisation_name or "").strip()
    if not organisation_name:
        raise ValidationError({"organisation_name": [_("Name the organisation.")]})
    conflict, _created = Conflict.objects.get_or_create(
        expert=expert, organisation_name=organisation_name[:200], defaults={"reason": reason[:300]}
    )
    audit_record(actor=actor, action="conflict.declare", target=expert, data={"organisation": organisation_name})
    return conflict


def conflict_reason(expert: Expert, application: Application) -> str:
    """Why this expert must not review this item, or '' when they may (回避)."""
    org = application.organisation
    if expert.organisation_id and expert.organisation_id == org.pk:
        return "same_organisation"
    if (
        expert.organisation_id
        and org.credit_code
        and expert.organisation
        and expert.organisation.credit_code == org.credit_code
    ):
        return "same_organisation"
    names = {c.organisation_name for c in expert.conflicts.all()}
    if org.name in names:
        return "declared_conflict"
    return ""


# --- invitations and reviews ----------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *, application: Application, expert: Expert, actor: Any, replaces: Assignment | None = None
) -> Assignment:
    """Invite an expert to review an item. Refuses conflicted, inactive and overloaded experts."""
    if not is_staff(actor) and actor is not None:
        raise PermissionDenied(_("Only bureau staff assign experts."))
    # The expert row is locked so two assignments at once cannot push them past their limit.
    expert = Expert.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=expert.pk)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise StateConflict(_("Experts are assigned only to applications in expert review."))
    if not expert.active:
        raise ValidationError({"expert": [_("This expert is not active.")]})
    reason = conflict_reason(expert, application)
    if reason:
        raise ValidationError({"expert": [_("This expert has a conflict of interest with the applicant.")]})
    load = Assignment.objects.filter(expert=expert, status__in=LOAD_STATES).count()
    if load >= expert.load_limit:
        raise ValidationError({"expert": [_("This expert is at their load limit.")]})
    due = timezone.now() + timedelta(days=application.call.review_days)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                application=application, expert=expert, due_at=due, replaces=replaces
            )
    except IntegrityError:
        raise StateConflict(_("This expert is already assigned to this item.")) from None
    assign_perm("reviews.view_assignment", expert.user, assignment)
    assign_perm("reviews.change_assignment", expert.user, assignment)
    audit_record(
        actor=actor,
        action="assignment.create",
        target=assignment,
        to_state=A.INVITED,
        data={"application": application.pk, "expert": expert.pk},
    )
    notify(
        recipients=[expert.user],
        kind="review_invitation",
        subject=gettext_lazy("Invitation to review"),
        body=gettext_lazy("You are invited to review an item due %(due)s. Please accept or decline."),
        context={"due": f"{due:%Y-%m-%d}"},
    )
    return assignment


def _assignment_locked(assignment: Assignment, actor: Any) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("expert", "application", "application__call")
        .get(pk=assignment.pk)
    )
    if not is_assigned_expert(actor, assignment):
        raise NotVisible()
    return assignment


def _assignment_transition(assignment: Assignment, to: str, actor: Any, action: str, comment: str = "") -> None:
    source = assignment.status
    assignment.status = to
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at", "decline_reason"])
    audit_record(actor=actor, action=action, target=assignment, from_state=source, to_state=to, comment=comment)


@transaction.atomic
def assignment_accept(*, assignment: Assignment, actor: Any, no_conflict: bool) -> Assignment:
    assignment = _assignment_locked(assignment, actor)
    if no_conflict is not True:
        raise ValidationError({"no_conflict": [_("Declare that you have no conflict of interest to accept.")]})
    if assignment.status != A.INVITED:
        raise StateConflict(_("This invitation was already answered."))
    _assignment_transition(assignment, A.ACCEPTED, actor, "assignment.accept")
    return assignment


@transaction.atomic
def assignment_decline(*, assignment: Assignment, actor: Any, reason: str) -> Assignment:
    assignment = _assignment_locked(assignment, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why you decline.")]})
    if assignment.status not in (A.INVITED, A.ACCEPTED):
        raise StateConflict(_("This assignment can no longer be declined."))
    assignment.decline_reason = reason.strip()[:2000]
    _assignment_transition(assignment, A.DECLINED, actor, "assignment.decline", comment=reason)
    return assignment


def weighted_total(criteria: list[Criterion], scores: dict[str, Decimal]) -> Decimal:
    """Σ weight × score / max_score over the criteria, out of Σ weight."""
    total = sum((c.weight * scores[c.code] / c.max_score for c in criteria), Decimal("0"))
    return total.quantize(Decimal("0.001"))


def clean_scores(criteria: list[Criterion], raw: Any) -> dict[str, Decimal]:
    if not isinstance(raw, dict):
        raise ValidationError({"scores": [_("Give one score per criterion.")]})
    errors: dict[str, list[str]] = {}
    scores: dict[str, Decimal] = {}
    codes = {c.code for c in criteria}
    for code in raw:
        if code not in codes:
            errors[f"scores.{code}"] = [_("Unknown criterion.")]
    for c in criteria:
        key = f"scores.{c.code}"
        if c.code not in raw:
            errors[key] = [_("A score is required for %(label)s.") % {"label": c.label}]
            continue
        value = raw[c.code]
        if isinstance(value, bool):
            errors[key] = [_("Scores are numbers.")]
            continue
        try:
            score = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors[key] = [_("Scores are numbers.")]
            continue
        if not score.is_finite() or score < 0 or score > c.max_score:
            errors[key] = [_("Score %(label)s between 0 and %(max)s.") % {"label": c.label, "max": c.max_score}]
            continue
        scores[c.code] = score.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    return scores


@transaction.atomic
def review_submit(*, assignment: Assignment, actor: Any, scores: Any, comment: str, recommendation: str) -> Review:
    """Score an accepted assignment. A submitted review is final."""
    assignment = _assignment_locked(assignment, actor)
    criteria = list(assignment.application.call.criteria.all())
    cleaned = clean_scores(criteria, scores)
    errors: dict[str, list[str]] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [_("Choose support or oppose.")]
    if not (comment or "").strip():
        errors["comment"] = [_("A comment is required.")]
    if errors:
        raise ValidationError(errors)
    if assignment.status == A.SUBMITTED:
        raise StateConflict(_("This review was already submitted."))
    if assignment.status != A.ACCEPTED:
        raise StateConflict(_("Accept the invitation before reviewing."))
    review = Review.objects.create(
        assignment=assignment,
        scores={k: str(v) for k, v in cleaned.items()},
        weighted_total=weighted_total(criteria, cleaned),
        comment=comment.strip(),
        recommendation=recommendation,
    )
    _assignment_transition(assignment, A.SUBMITTED, actor, "review.submit")
    return review

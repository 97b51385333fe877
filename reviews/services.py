"""Writes for the expert pool, criteria, invitations and reviews."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.rules import is_staff
from accounts.services import organisation_get_or_create, user_create
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from core.grants import grant_user_object_perms
from notifications.services import notify

from . import draw as draw_rules
from .draw import ExpertSnapshot, ItemRequest, ItemResult, ItemSnapshot
from .enums import LOAD_STATES, OPEN_ASSIGNMENT_STATES, AssignmentStatus, DrawExclusion, DrawKind, Recommendation
from .models import Assignment, Conflict, Criterion, Draw, DrawItem, Expert, Review
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


@service_atomic
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


@service_atomic
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


# --- avoidance (回避), the same for hand picks and draws ---------------------------------------


def item_snapshot(application: Application) -> ItemSnapshot:
    """The applicant side of the avoidance rules (``application.organisation`` is read)."""
    org = application.organisation
    return ItemSnapshot(
        id=application.pk,
        organisation_id=org.pk,
        credit_code=org.credit_code or "",
        organisation_name=org.name or "",
        field=(application.field or "").strip(),
    )


def expert_snapshot(expert: Expert, *, load: int) -> ExpertSnapshot:
    """An expert's eligibility inputs; reads ``expert.organisation`` and ``expert.conflicts``
    (select and prefetch them when snapshotting many)."""
    org = expert.organisation
    conflicts = list(expert.conflicts.all())
    return ExpertSnapshot(
        id=expert.pk,
        organisation_id=expert.organisation_id,
        credit_code=(org.credit_code or "") if org else "",
        organisation_name=(org.name or "") if org else "",
        fields=tuple(str(f) for f in (expert.fields or [])),
        active=expert.active,
        load=load,
        load_limit=expert.load_limit,
        conflict_names=tuple(c.organisation_name for c in conflicts),
        conflict_organisation_ids=tuple(c.organisation_id for c in conflicts if c.organisation_id),
    )


def conflict_reason(expert: Expert, application: Application) -> str:
    """Why this expert must not review this item (回避), or '' when they may.

    Only the conflict rules: "same_organisation" or "declared_conflict". The rules themselves
    live in ``reviews.draw``, shared by manual assignment and the random draw.
    """
    item = item_snapshot(application)
    snapshot = expert_snapshot(expert, load=0)
    if draw_rules.same_organisation(item, snapshot):
        return DrawExclusion.SAME_ORGANISATION
    if draw_rules.declared_conflict(item, snapshot):
        return DrawExclusion.DECLARED_CONFLICT
    return ""


def _expert_loads(expert_ids: list[int]) -> dict[int, int]:
    """Open assignments per expert, in one aggregate query."""
    rows = (
        Assignment.objects.filter(expert_id__in=expert_ids, status__in=LOAD_STATES)
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )
    loads = dict.fromkeys(expert_ids, 0)
    loads.update(dict(rows))
    return loads


_REFUSALS = {
    DrawExclusion.INACTIVE: gettext_lazy("This expert is not active."),
    DrawExclusion.SAME_ORGANISATION: gettext_lazy("This expert has a conflict of interest with the applicant."),
    DrawExclusion.DECLARED_CONFLICT: gettext_lazy("This expert has a conflict of interest with the applicant."),
    DrawExclusion.LOAD_LIMIT: gettext_lazy("This expert is at their load limit."),
}


def _assignment_insert(
    *,
    application: Application,
    expert: Expert,
    actor: Any,
    replaces: Assignment | None = None,
    draw_item: DrawItem | None = None,
) -> Assignment:
    """Write an invitation whose eligibility the caller has checked under the expert's row lock:
    the assignment, the expert's object permissions, the audit row and the invitation."""
    due = timezone.now() + timedelta(days=application.call.review_days)
    try:
        # A savepoint of its own even under the flow lock (``core.db``): the IntegrityError is
        # caught and turned into a 409, and only a savepoint lets the transaction go on after it.
        with transaction.atomic():
            assignment = Assignment.objects.create(
                application=application, expert=expert, due_at=due, replaces=replaces, draw_item=draw_item
            )
    except IntegrityError:
        raise StateConflict(_("This expert is already assigned to this item.")) from None
    grant_user_object_perms(expert.user, assignment, ["reviews.view_assignment", "reviews.change_assignment"])
    data: dict[str, Any] = {"application": application.pk, "expert": expert.pk}
    if draw_item is not None:
        data["draw"] = draw_item.draw_id
    if replaces is not None:
        data["replaces"] = replaces.pk
    audit_record(actor=actor, action="assignment.create", target=assignment, to_state=A.INVITED, data=data)
    notify(
        recipients=[expert.user],
        kind="review_invitation",
        subject=gettext_lazy("Invitation to review"),
        body=gettext_lazy("You are invited to review an item due %(due)s. Please accept or decline."),
        context={"due": f"{due:%Y-%m-%d}"},
    )
    return assignment


# --- invitations and reviews ----------------------------------------------------------------


@service_atomic
def assignment_create(
    *, application: Application, expert: Expert, actor: Any, replaces: Assignment | None = None
) -> Assignment:
    """Invite an expert to review an item. Refuses conflicted, inactive and overloaded experts
    by the same rules as the random draw (``reviews.draw.exclusion_reason``); staff may pick
    outside the item's field."""
    if not is_staff(actor) and actor is not None:
        raise PermissionDenied(_("Only bureau staff assign experts."))
    # The expert row is locked so two assignments at once cannot push them past their limit.
    expert = (
        Expert.objects.select_for_update(of=("self",))
        .select_related("organisation", "user")
        .prefetch_related("conflicts")
        .get(pk=expert.pk)
    )
    if application.status != ApplicationStatus.IN_REVIEW:
        raise StateConflict(_("Experts are assigned only to applications in expert review."))
    load = _expert_loads([expert.pk])[expert.pk]
    reason = draw_rules.exclusion_reason(item_snapshot(application), expert_snapshot(expert, load=load))
    if reason:
        raise ValidationError({"expert": [str(_REFUSALS[DrawExclusion(reason)])]})
    return _assignment_insert(application=application, expert=expert, actor=actor, replaces=replaces)


# --- the random draw (随机抽取) --------------------------------------------------------------


def _draw_pool(fields: set[str]) -> tuple[list[Expert], list[ExpertSnapshot]]:
    """Every expert in any of ``fields``, locked, with their loads: four queries whatever the
    pool's size (experts with organisations, their conflicts, and one aggregate of loads).

    The rows are locked in id order, so two draws wait for each other instead of deadlocking,
    and a hand assignment (which locks its one expert) cannot slip past a load limit meanwhile.
    """
    if not fields:
        return [], []
    in_field = Q()
    for name in sorted(fields):
        in_field |= Q(fields__contains=[name])
    experts = list(
        Expert.objects.select_for_update(of=("self",))
        .filter(in_field)
        .select_related("organisation", "user")
        .prefetch_related("conflicts")
        .order_by("id")
    )
    loads = _expert_loads([e.pk for e in experts])
    return experts, [expert_snapshot(e, load=loads[e.pk]) for e in experts]


def _draw_record(
    *,
    call: Call,
    kind: str,
    seed: str,
    actor: Any,
    experts: list[Expert],
    pool: list[ExpertSnapshot],
    requests: list[ItemRequest],
    applications: dict[int, Application],
    replacing: dict[int, list[int]],
) -> tuple[Draw, list[Assignment]]:
    """Run the pure draw over the snapshots, then write the Draw, its items, the assignments
    and the audit row. Returns the draw and the assignments it made.

    ``replacing`` maps an item to its declined or expired assignments not yet replaced: the
    experts drawn for it replace them in that order (``Assignment.replaces``)."""
    results = draw_rules.draw_run(requests=requests, pool=pool, seed=seed)
    draw = Draw.objects.create(
        call=call,
        kind=kind,
        seed=seed,
        pool=[e.as_json() for e in pool],
        performed_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
    items = DrawItem.objects.bulk_create(
        [
            DrawItem(
                draw=draw,
                application_id=request.item.id,
                item=request.item.as_json(),
                assigned=sorted(request.assigned),
                needed=result.needed,
                candidates=result.candidates,
                exclusions=result.exclusions,
                chosen=result.chosen,
                shortfall=result.shortfall,
            )
            for request, result in zip(requests, results, strict=True)
        ]
    )
    by_id = {e.pk: e for e in experts}
    made = []
    for draw_item, result in zip(items, results, strict=True):
        gaps = list(replacing.get(result.item_id, []))
        for expert_id in result.chosen:
            # An id stands in for the replaced row: only its key is written.
            replaces = Assignment(pk=gaps.pop(0)) if gaps else None
            made.append(
                _assignment_insert(
                    application=applications[result.item_id],
                    expert=by_id[expert_id],
                    actor=actor,
                    replaces=replaces,
                    draw_item=draw_item,
                )
            )
    audit_record(
        actor=actor,
        action="draw.perform",
        target=draw,
        data={
            "seed": seed,
            "kind": kind,
            "call": call.pk,
            "replacing": {str(k): v for k, v in replacing.items() if v},
            "items": [
                {
                    "application": r.item_id,
                    "needed": r.needed,
                    "candidates": r.candidates,
                    "exclusions": r.exclusions,
                    "chosen": r.chosen,
                    "shortfall": r.shortfall,
                }
                for r in results
            ],
        },
    )
    return draw, made


def _assigned_experts(application_ids: list[int]) -> tuple[dict[int, set[int]], dict[int, list[int]]]:
    """Per item, every expert already on it in any state, and its declined or expired
    assignments that nobody has replaced yet (oldest first). One query."""
    assigned: dict[int, set[int]] = {pk: set() for pk in application_ids}
    gone: dict[int, list[int]] = {pk: [] for pk in application_ids}
    replaced: set[int] = set()
    rows = (
        Assignment.objects.filter(application_id__in=application_ids)
        .order_by("id")
        .values_list("pk", "application_id", "expert_id", "status", "replaces_id")
    )
    for pk, application_id, expert_id, status, replaces_id in rows:
        assigned[application_id].add(expert_id)
        if status in (A.DECLINED, A.EXPIRED):
            gone[application_id].append(pk)
        if replaces_id is not None:
            replaced.add(replaces_id)
    unreplaced = {item: [pk for pk in pks if pk not in replaced] for item, pks in gone.items()}
    return assigned, unreplaced


@service_atomic
def draw_for_call(*, call: Call, actor: Any, seed: str | None = None) -> Draw:
    """Draw experts for every item of the call in expert review that lacks some.

    Each such item gets ``call.reviewers_per_item`` minus its invited, accepted and
    submitted assignments, drawn by ``reviews.draw`` from the experts in its field, or none
    at all when the pool falls short (the ``DrawItem`` says by how many). Drawn experts
    replace the item's declined or expired assignments that have no replacement yet.

    Side effects: locks the call and the experts of the fields concerned; writes a ``Draw``
    with one ``DrawItem`` per item considered, one ``Assignment`` per drawn expert (with
    its object permissions, an ``assignment.create`` audit row and an invitation to the
    expert), and a ``draw.perform`` audit row holding the seed, the candidates, the
    exclusions with their reasons and the choices. Queries do not grow with the pool.
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    # Two draws of the same call at once would both see the same items short of experts.
    call = Call.objects.select_for_update().get(pk=call.pk)
    seed = seed if seed else secrets.token_hex(8)
    if len(seed) > 64:
        raise ValidationError({"seed": [_("A seed is at most 64 characters.")]})
    open_or_done = [*OPEN_ASSIGNMENT_STATES, A.SUBMITTED]
    applications = list(
        Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW)
        .select_related("organisation", "call")
        .annotate(seated=Count("assignments", filter=Q(assignments__status__in=open_or_done)))
        .order_by("id")
    )
    short = [a for a in applications if a.seated < call.reviewers_per_item]
    assigned, unreplaced = _assigned_experts([a.pk for a in short])
    requests = [
        ItemRequest(
            item=item_snapshot(a),
            needed=call.reviewers_per_item - a.seated,
            assigned=frozenset(assigned[a.pk]),
        )
        for a in short
    ]
    experts, pool = _draw_pool({r.item.field for r in requests})
    draw, _made = _draw_record(
        call=call,
        kind=DrawKind.INITIAL,
        seed=seed,
        actor=actor,
        experts=experts,
        pool=pool,
        requests=requests,
        applications={a.pk: a for a in short},
        replacing=unreplaced,
    )
    return draw


@service_atomic
def draw_replacement(*, assignment: Assignment, actor: Any, seed: str | None = None) -> Assignment | None:
    """Draw one expert, by the rules of the draw, in place of a declined or expired one.

    ``actor`` is staff, or ``None`` when the system draws on an expert's decline. Returns
    the new assignment (``replaces`` the old one), or ``None`` when the pool has nobody
    eligible; either way a ``Draw`` of kind "replacement" and its audit row record it.
    Side effects as for :func:`draw_for_call`, for one item and one expert.
    """
    if actor is not None and not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    assignment = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    if assignment.status not in (A.DECLINED, A.EXPIRED):
        raise StateConflict(_("Only a declined or expired assignment is replaced."))
    if Assignment.objects.filter(replaces=assignment).exists():
        raise StateConflict(_("This assignment was already replaced."))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "call")
        .get(pk=assignment.application_id)
    )
    if application.status != ApplicationStatus.IN_REVIEW:
        raise StateConflict(_("Experts are assigned only to applications in expert review."))
    assigned, _unreplaced = _assigned_experts([application.pk])
    request = ItemRequest(item=item_snapshot(application), needed=1, assigned=frozenset(assigned[application.pk]))
    experts, pool = _draw_pool({request.item.field})
    _draw, made = _draw_record(
        call=application.call,
        kind=DrawKind.REPLACEMENT,
        seed=seed if seed else secrets.token_hex(8),
        actor=actor,
        experts=experts,
        pool=pool,
        requests=[request],
        applications={application.pk: application},
        replacing={application.pk: [assignment.pk]},
    )
    return made[0] if made else None


def draw_replay_items(*, draw: Draw) -> list[ItemResult]:
    """Run the draw again from its seed, its pool as it was and its items in order."""
    items = list(draw.items.order_by("id"))
    requests = [
        ItemRequest(item=ItemSnapshot.from_json(i.item), needed=i.needed, assigned=frozenset(i.assigned)) for i in items
    ]
    pool = [ExpertSnapshot.from_json(e) for e in draw.pool]
    return draw_rules.draw_run(requests=requests, pool=pool, seed=draw.seed)


def draw_replay(*, draw: Draw) -> dict[int, list[int]]:
    """What replaying ``draw`` chooses, item id → expert ids; equal to what it recorded."""
    return {r.item_id: r.chosen for r in draw_replay_items(draw=draw)}


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


@service_atomic
def assignment_accept(*, assignment: Assignment, actor: Any, no_conflict: bool) -> Assignment:
    assignment = _assignment_locked(assignment, actor)
    if no_conflict is not True:
        raise ValidationError({"no_conflict": [_("Declare that you have no conflict of interest to accept.")]})
    if assignment.status != A.INVITED:
        raise StateConflict(_("This invitation was already answered."))
    _assignment_transition(assignment, A.ACCEPTED, actor, "assignment.accept")
    return assignment


@service_atomic
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


@service_atomic
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

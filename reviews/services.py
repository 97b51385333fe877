"""Writes for the expert pool, criteria, invitations and reviews."""

from __future__ import annotations

import functools
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.models import Organisation
from accounts.rules import is_staff
from accounts.services import (
    organisation_get_or_create,
    organisations_get_or_create_many,
    user_create,
    users_create_invited,
)
from accounts.validators import normalise_credit_code, validate_credit_code
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from applications.services import fields_check
from audit.services import audit_record, audit_record_many
from core.db import (
    CompiledRead,
    Json,
    boundary_held,
    insert_objects,
    insert_rows,
    is_row_held,
    save_fields,
    service_atomic,
)
from core.errors import NotVisible, StateConflict
from integrity.selectors import experts_barred, in_force
from notifications.services import email_choices_carry, notify, with_email_choices

from . import draw as draw_rules
from . import proof
from .draw import ExpertSnapshot, ItemRequest, ItemResult, ItemSnapshot, OrgRef
from .enums import (
    LOAD_STATES,
    OPEN_ASSIGNMENT_STATES,
    RECOMMENDATIONS,
    SEATED_STATES,
    AssignmentPurpose,
    AssignmentStatus,
    DrawExclusion,
    DrawKind,
)
from .models import Assignment, Conflict, Criterion, Draw, DrawItem, Expert, Review
from .rules import is_assigned_expert

A = AssignmentStatus
P = AssignmentPurpose
#: The application status in which experts of each purpose are drawn, replaced and score.
PURPOSE_STATUS: dict[str, str] = {
    P.REVIEW: ApplicationStatus.IN_REVIEW,
    P.ACCEPTANCE: ApplicationStatus.ACCEPTANCE_SUBMITTED,
}


# --- criteria ----------------------------------------------------------------------------


def criteria_set(*, call: Call, criteria: list[dict[str, Any]], purpose: str = "review") -> list[Criterion]:
    """Replace a call's criteria of ``purpose`` (its review criteria, or its acceptance
    criteria). Weights and maxima must be positive, codes unique."""
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
                purpose=purpose,
            )
        )
    Criterion.all_purposes.filter(call=call, purpose=purpose).delete()
    return Criterion.all_purposes.bulk_create(rows)


#: A call's acceptance criteria when staff set none (issue 17.2): targets met, money used as
#: planned, results.
DEFAULT_ACCEPTANCE_CRITERIA = (
    ("targets", gettext_lazy("Targets met"), Decimal("40")),
    ("money", gettext_lazy("Money used as planned"), Decimal("30")),
    ("results", gettext_lazy("Results"), Decimal("30")),
)


@functools.cache
def _criteria_read(purpose: str) -> CompiledRead[Criterion]:
    """A call's criteria of ``purpose`` in their order, compiled once (``core.db.CompiledRead``):
    every review an expert submits reads them."""
    return CompiledRead(
        lambda call: Criterion.all_purposes.filter(call=call, purpose=purpose).order_by("position", "id")
    )


def acceptance_criteria_ensure(call: Call) -> list[Criterion]:
    """The call's acceptance criteria, the defaults written (in the active language) when
    staff set none. Called when the acceptance experts are drawn, so they score fixed rows."""
    rows = _criteria_read(P.ACCEPTANCE).rows(call=call.pk)
    if rows:
        return rows
    return Criterion.all_purposes.bulk_create(
        [
            Criterion(call=call, purpose=P.ACCEPTANCE, code=code, label=str(label), weight=w, max_score=w, position=i)
            for i, (code, label, w) in enumerate(DEFAULT_ACCEPTANCE_CRITERIA)
        ]
    )


def purpose_criteria(call: Call, purpose: str) -> list[Criterion]:
    """What an expert of ``purpose`` scores against: the review criteria, or the acceptance
    criteria (the defaults if staff set none)."""
    if purpose == P.ACCEPTANCE:
        return acceptance_criteria_ensure(call)
    return _criteria_read(P.REVIEW).rows(call=call.pk)


# --- the pool ---------------------------------------------------------------------------


@service_atomic
def expert_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    email: str,
    name: str,
    organisation: dict[str, Any] | None,
    fields: list[str],
    title: str = "",
    region: str = "",
    load_limit: int = 10,
    active: bool = True,
) -> Expert:
    """Add an expert and their login. ``password=None`` (the sheet import) gives the login
    no usable password and sends the expert an invitation to set one (``user_create``)."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))
    if not (name or "").strip():
        raise ValidationError({"name": [_("A name is required.")]})
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f.strip() for f in fields):
        raise ValidationError({"fields": [_("Give the expert's fields as a list of words.")]})
    fields = list(dict.fromkeys(f.strip() for f in fields))
    fields_check(codes=fields, key="fields")
    load_limit = _clean_load_limit(load_limit)
    org = None
    if organisation:
        org = organisation_get_or_create(
            name=str(organisation.get("name") or ""),
            credit_code=str(organisation.get("credit_code") or ""),
            kind=str(organisation.get("kind") or "other"),
        )
    # Without a password (the sheet import, or staff leaving it empty) the login has none
    # until the expert sets one through the invitation e-mail's one-time link.
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
        fields=fields,
        title=(title or "").strip()[:100],
        region=(region or "").strip()[:100],
        load_limit=load_limit,
        active=bool(active),
    )
    audit_record(actor=actor, action="expert.create", target=expert)
    return expert


@service_atomic
def experts_create_many(*, actor: Any, rows: list[dict[str, Any]], conflict_reason: str = "") -> list[Expert]:
    """``expert_create`` (without a password) and then ``conflict_declare`` for each of the row's
    ``conflicts``, for many rows in a fixed number of statements (the sheet import, issue 18).

    Each row holds ``expert_create``'s arguments (``username``, ``email``, ``name``,
    ``organisation`` as ``{name, credit_code}`` or None, ``fields``, ``title``, ``region``,
    ``load_limit``, ``active``) and ``conflicts`` (organisation names). The same rows and audit
    entries as the services one by one: users, groups, memberships and invitations
    (``accounts.services.users_create_invited``), experts (``expert.create``), conflicts
    (``conflict.declare``, all new). All or nothing: a row that is not valid refuses the whole
    call (``ValidationError``), as does a user name taken meanwhile; callers then go row by row
    to tell which row it was."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))
    if not rows:
        return []
    for row in rows:
        if not (row.get("name") or "").strip():
            raise ValidationError({"name": [_("A name is required.")]})
        fields = row.get("fields")
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f.strip() for f in fields):
            raise ValidationError({"fields": [_("Give the expert's fields as a list of words.")]})
        row["fields"] = list(dict.fromkeys(f.strip() for f in fields))
        row["load_limit"] = _clean_load_limit(row.get("load_limit", 10))
    fields_check(codes=sorted({f for row in rows for f in row["fields"]}), key="fields")
    for row in rows:
        organisation = row.get("organisation")
        if organisation and normalise_credit_code(str(organisation.get("credit_code") or "")):
            try:
                validate_credit_code(normalise_credit_code(str(organisation["credit_code"])))
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc.messages}) from exc

    def org_key(row: dict[str, Any]) -> tuple[str, str] | None:
        organisation = row.get("organisation")
        if not organisation:
            return None
        return (str(organisation.get("name") or ""), str(organisation.get("credit_code") or ""))

    organisations = organisations_get_or_create_many(specs=[k for row in rows if (k := org_key(row))])
    orgs = [organisations[k] if (k := org_key(row)) else None for row in rows]
    users = users_create_invited(
        rows=[
            {
                "username": row["username"],
                "email": row["email"],
                "organisation": org,
                "display_name": row["name"].strip(),
            }
            for row, org in zip(rows, orgs, strict=True)
        ],
        roles=[Role.EXPERT],
        actor=actor,
    )
    experts = Expert.objects.bulk_create(
        [
            Expert(
                user=user,
                name=row["name"].strip(),
                organisation=org,
                fields=row["fields"],
                title=(row.get("title") or "").strip()[:100],
                region=(row.get("region") or "").strip()[:100],
                load_limit=row["load_limit"],
                active=bool(row.get("active", True)),
            )
            for row, org, user in zip(rows, orgs, users, strict=True)
        ]
    )
    audit_record_many(actor=actor, action="expert.create", targets=list(experts), data=[{} for _e in experts])
    reason = (conflict_reason or "").strip()[:300]
    declared = [
        (expert, name.strip()[:200])
        for expert, row in zip(experts, rows, strict=True)
        for name in dict.fromkeys(n.strip() for n in row.get("conflicts") or [] if n.strip())
    ]
    Conflict.objects.bulk_create([Conflict(expert=e, organisation_name=name, reason=reason) for e, name in declared])
    audit_record_many(
        actor=actor,
        action="conflict.declare",
        targets=[e for e, _name in declared],
        data=[{"organisation": name, "reason": reason, "new": True} for _e, name in declared],
    )
    return experts


_FIELD_SEPARATORS = re.compile(r"[；;,，、\n]+")


def split_words(value: Any) -> list[str]:
    """Fields or organisation names given as a list, or as text separated by ；/;/,/，/、."""
    if isinstance(value, str):
        parts = _FIELD_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        parts = [str(v) for v in value if isinstance(v, (str, int))]
    else:
        return []
    seen: list[str] = []
    for part in parts:
        word = part.strip()
        if word and word not in seen:
            seen.append(word[:60])
    return seen


#: What staff may change on an expert, and the audit records.
EXPERT_EDITABLE = ("name", "organisation", "fields", "title", "region", "load_limit", "active")
MAX_LOAD_LIMIT = 1000


def _clean_load_limit(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError({"load_limit": [_("The load limit is a whole number from 0 to 1000.")]})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"load_limit": [_("The load limit is a whole number from 0 to 1000.")]}) from None
    if not 0 <= number <= MAX_LOAD_LIMIT:
        raise ValidationError({"load_limit": [_("The load limit is a whole number from 0 to 1000.")]})
    return number


def _expert_state(expert: Expert) -> dict[str, Any]:
    return {
        "name": expert.name,
        "organisation": expert.organisation_id,
        "fields": list(expert.fields or []),
        "title": expert.title,
        "region": expert.region,
        "load_limit": expert.load_limit,
        "active": expert.active,
    }


_UNSET: Any = object()


@service_atomic
def expert_update(
    *,
    expert: Expert,
    actor: Any,
    name: Any = _UNSET,
    organisation: Any = _UNSET,
    fields: Any = _UNSET,
    title: Any = _UNSET,
    region: Any = _UNSET,
    load_limit: Any = _UNSET,
    active: Any = _UNSET,
) -> Expert:
    """Change an expert's pool record; only the arguments given change. ``organisation`` is
    ``{name, credit_code}`` or ``None`` (no organisation). Audited with before and after.

    Assignments already made stay; the new values count from the next draw or hand pick."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))
    expert = Expert.objects.select_for_update(of=("self",)).get(pk=expert.pk)
    before = _expert_state(expert)
    errors: dict[str, list[str]] = {}
    if name is not _UNSET:
        name = str(name or "").strip()
        if not name:
            errors["name"] = [_("A name is required.")]
        else:
            expert.name = name[:100]
    if fields is not _UNSET:
        words = split_words(fields)
        if not words:
            errors["fields"] = [_("Give the expert's fields as a list of words.")]
        else:
            try:
                fields_check(codes=words, key="fields", keep=list(expert.fields or []))
            except ValidationError as exc:
                errors.update(exc.message_dict)
            expert.fields = words
    if title is not _UNSET:
        expert.title = str(title or "").strip()[:100]
    if region is not _UNSET:
        expert.region = str(region or "").strip()[:100]
    if load_limit is not _UNSET:
        try:
            expert.load_limit = _clean_load_limit(load_limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if active is not _UNSET:
        if not isinstance(active, bool):
            errors["active"] = [_("Active is yes or no.")]
        else:
            expert.active = active
    if errors:
        raise ValidationError(errors)
    if organisation is not _UNSET:
        if organisation:
            expert.organisation = organisation_get_or_create(
                name=str(organisation.get("name") or ""),
                credit_code=str(organisation.get("credit_code") or ""),
                kind=str(organisation.get("kind") or "other"),
            )
        else:
            expert.organisation = None
    expert.save()
    after = _expert_state(expert)
    changed = {k: {"from": before[k], "to": after[k]} for k in EXPERT_EDITABLE if before[k] != after[k]}
    if changed:
        if expert.organisation_id != before["organisation"] or expert.name != before["name"]:
            type(expert.user).objects.filter(pk=expert.user_id).update(
                organisation=expert.organisation, display_name=expert.name
            )
        audit_record(actor=actor, action="expert.update", target=expert, data={"changes": changed})
    return expert


def expert_deactivate(*, expert: Expert, actor: Any) -> Expert:
    """Take an expert out of future draws and hand picks; their open assignments go on."""
    return expert_update(expert=expert, actor=actor, active=False)


@service_atomic
def conflict_declare(*, expert: Expert, actor: Any, organisation_name: str, reason: str = "") -> Conflict:
    if not (is_staff(actor) or expert.user_id == actor.pk):
        raise NotVisible()
    organisation_name = (organisation_name or "").strip()
    if not organisation_name:
        raise ValidationError({"organisation_name": [_("Name the organisation.")]})
    reason = (reason or "").strip()
    conflict, _created = Conflict.objects.get_or_create(
        expert=expert, organisation_name=organisation_name[:200], defaults={"reason": reason[:300]}
    )
    audit_record(
        actor=actor,
        action="conflict.declare",
        target=expert,
        data={"organisation": organisation_name, "reason": reason[:300], "new": _created},
    )
    return conflict


@service_atomic
def conflict_withdraw(*, conflict: Conflict, actor: Any) -> None:
    """Staff remove a declared conflict (e.g. the expert left that organisation). Audited."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff remove a declared conflict of interest."))
    conflict = Conflict.objects.select_related("expert").select_for_update(of=("self",)).get(pk=conflict.pk)
    audit_record(
        actor=actor,
        action="conflict.withdraw",
        target=conflict.expert,
        data={"organisation": conflict.organisation_name, "reason": conflict.reason},
    )
    conflict.delete()


# --- avoidance (回避), the same for hand picks and draws ---------------------------------------


def _other_organisation_names(application: Application) -> list[str]:
    """A nomination's organisations besides the lead unit: the other completing units and
    every listed person's organisation, in order, without repeats."""
    names = [str(u).strip() for u in (application.units or [])]
    for person in application.persons or []:
        if isinstance(person, dict):
            names.append(str(person.get("organisation") or "").strip())
    lead = (application.organisation.name or "").strip()
    return [n for n in dict.fromkeys(names) if n and n != lead]


def item_snapshots(applications: Sequence[Application]) -> dict[int, ItemSnapshot]:
    """The applicant side of the avoidance rules for each item, id → snapshot.

    ``application.organisation`` is read (select it). A nomination's other completing units
    and its persons' organisations are looked up by name in one query for all items, so an
    expert of a registered unit is recognised by its row and credit code as well as its name.
    """
    wanted = {a.pk: _other_organisation_names(a) for a in applications}
    all_names = {n for names in wanted.values() for n in names}
    known: dict[str, Organisation] = {}
    if all_names:
        for org in Organisation.objects.filter(name__in=all_names).order_by("-pk"):
            known[org.name] = org  # the oldest row of a name wins, as nominations resolve it
    snapshots = {}
    for application in applications:
        org = application.organisation
        others = []
        for name in wanted[application.pk]:
            match = known.get(name)
            others.append(
                OrgRef(
                    id=match.pk if match else None, credit_code=(match.credit_code or "") if match else "", name=name
                )
            )
        snapshots[application.pk] = ItemSnapshot(
            id=application.pk,
            organisation_id=org.pk,
            credit_code=org.credit_code or "",
            organisation_name=org.name or "",
            field=(application.field or "").strip(),
            others=tuple(others),
        )
    return snapshots


def item_snapshot(application: Application) -> ItemSnapshot:
    """The avoidance inputs of one item (see :func:`item_snapshots`)."""
    return item_snapshots([application])[application.pk]


def expert_snapshot(
    expert: Expert, *, load: int, credit_barred: bool = False, conflicts: list[Conflict] | None = None
) -> ExpertSnapshot:
    """An expert's eligibility inputs; reads ``expert.organisation`` and ``expert.conflicts``
    (select and prefetch them when snapshotting many), unless ``conflicts`` gives them.
    ``credit_barred``: a confirmed credit record is in force on the expert
    (``integrity.selectors.experts_barred``)."""
    org = expert.organisation
    conflicts = list(expert.conflicts.all()) if conflicts is None else conflicts
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
        credit_barred=credit_barred,
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


def _open_loads() -> Any:  # a values() queryset the stubs cannot follow through filter()
    """Open assignments (``LOAD_STATES``) counted per expert, as ``expert`` and ``n``: what an
    expert's load limit is held against."""
    return Assignment.objects.filter(status__in=LOAD_STATES).order_by().values("expert").annotate(n=Count("pk"))


def _expert_loads(expert_ids: list[int]) -> dict[int, int]:
    """Open assignments per expert, in one aggregate query."""
    rows = _open_loads().filter(expert_id__in=expert_ids).values_list("expert", "n")
    loads = dict.fromkeys(expert_ids, 0)
    loads.update(dict(rows))
    return loads


_REFUSALS = {
    DrawExclusion.INACTIVE: gettext_lazy("This expert is not active."),
    DrawExclusion.CREDIT_RECORD: gettext_lazy("This expert has a credit record in force and may not review."),
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
    the assignment, the audit row and the invitation."""
    due = timezone.now() + timedelta(days=application.call.review_days)
    try:
        # The unique expert-per-item key turns a race into a 409. Outside a step a savepoint lets
        # the caller's transaction go on after it; under a step's lock (``core.db``) none is
        # needed: the 409 leaves the step's block, which rolls everything back (issue 18: the
        # savepoint's two statements on every hand pick and drawn acceptance expert).
        with transaction.atomic(savepoint=not boundary_held()):
            assignment = Assignment(
                application=application, expert=expert, due_at=due, replaces=replaces, draw_item=draw_item
            )
            insert_objects([assignment])  # the INSERT without save()'s machinery (issue 18)
    except IntegrityError:
        raise StateConflict(_("This expert is already assigned to this item.")) from None
    # No guardian rows for the expert (issue 18): who may see and act on an assignment is
    # derived from ``assignment.expert`` (``rules.is_assigned_expert``), never asked of guardian.
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
        url=reverse("review-detail", args=[assignment.pk]),
    )
    return assignment


# --- invitations and reviews ----------------------------------------------------------------


def _build_expert_locked(pk: int) -> QuerySet[Expert]:
    experts = Expert.objects.select_for_update(of=("self",)).select_related("organisation", "user")
    return with_email_choices(experts, "user_id").filter(pk=pk)


#: :func:`assignment_create`'s read of the expert, compiled once (``core.db.CompiledRead``).
_EXPERT_LOCKED = CompiledRead(_build_expert_locked)


def _build_expert_standing(pk: int, day: date) -> QuerySet[Expert]:
    """The expert with ``open_load``, their open assignments (:func:`_expert_loads` for one),
    and ``credit_barred``, a credit record in force on ``day`` (``experts_barred`` for one)."""
    load = _open_loads().filter(expert=OuterRef("pk")).values("n")
    barred = Exists(in_force(day).filter(expert=OuterRef("pk")))
    return Expert.objects.filter(pk=pk).only("pk").annotate(open_load=Coalesce(Subquery(load), 0), credit_barred=barred)


#: :func:`assignment_create`'s reads after the expert's lock, compiled once.
_EXPERT_STANDING = CompiledRead(_build_expert_standing)
_EXPERT_CONFLICTS = CompiledRead(lambda expert: Conflict.objects.filter(expert=expert).order_by("pk"))


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
    # With the expert's e-mail choices, for the invitation (``notify`` reads none then).
    expert = _EXPERT_LOCKED.get(pk=expert.pk)
    email_choices_carry(expert, expert.user)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise StateConflict(_("Experts are assigned only to applications in expert review."))
    # Read after the lock, so the load counts every assignment committed before it.
    standing: Any = _EXPERT_STANDING.get(pk=expert.pk, day=timezone.localdate())
    conflicts = _EXPERT_CONFLICTS.rows(expert=expert.pk)
    snapshot = expert_snapshot(
        expert, load=standing.open_load, credit_barred=standing.credit_barred, conflicts=conflicts
    )
    reason = draw_rules.exclusion_reason(item_snapshot(application), snapshot)
    if reason:
        raise ValidationError({"expert": [str(_REFUSALS[DrawExclusion(reason)])]})
    return _assignment_insert(application=application, expert=expert, actor=actor, replaces=replaces)


def assignable_experts(application: Application) -> list[Expert]:
    """The experts staff may invite to this item by hand now, by the rules
    :func:`assignment_create` applies: active, not yet on the item, and not avoided
    (organisation, declared conflict, credit record, load limit); any field. So the page
    offers no expert the server would refuse. Queries do not grow with the pool."""
    experts = list(
        Expert.objects.filter(active=True)
        .exclude(assignments__application=application)
        .select_related("organisation")
        .prefetch_related("conflicts")
        .order_by("name", "pk")
    )
    ids = [e.pk for e in experts]
    loads, barred = _expert_loads(ids), experts_barred(ids)
    item = item_snapshot(application)
    return [
        e
        for e in experts
        if not draw_rules.exclusion_reason(item, expert_snapshot(e, load=loads[e.pk], credit_barred=e.pk in barred))
    ]


# --- the random draw (随机抽取) --------------------------------------------------------------


def _draw_pool(fields: set[str]) -> tuple[dict[int, int], list[ExpertSnapshot]]:
    """Every expert in any of ``fields``, locked, with their loads: their user ids (expert id →
    user id, for the invitations) and their snapshots. Five queries whatever the pool's size
    (experts with organisations, their conflicts, one aggregate of loads, and the experts
    barred by a credit record in force), read as rows: a county's pool is 10,000 experts, and
    a model instance per expert, organisation and conflict cost more than the draw itself.

    The rows are locked in id order, so two draws wait for each other instead of deadlocking,
    and a hand assignment (which locks its one expert) cannot slip past a load limit meanwhile.
    """
    if not fields:
        return {}, []
    pool = Expert.objects.select_for_update(of=("self",))
    if connection.features.supports_json_field_contains:
        in_field = Q()
        for name in sorted(fields):
            in_field |= Q(fields__contains=[name])
        pool = pool.filter(in_field)
    rows = list(
        pool.order_by("id").values_list(
            "id",
            "user_id",
            "organisation_id",
            "organisation__credit_code",
            "organisation__name",
            "fields",
            "active",
            "load_limit",
        )  # fmt: skip
    )
    if not connection.features.supports_json_field_contains:
        # SQLite (the embedded default of ``make run``) has no JSON containment: filter here.
        rows = [row for row in rows if fields & {str(f) for f in (row[5] or [])}]
    ids = [row[0] for row in rows]
    conflicts: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for expert_id, name, organisation_id in (
        Conflict.objects.filter(expert_id__in=ids)
        .order_by("id")
        .values_list("expert_id", "organisation_name", "organisation_id")
    ):
        conflicts[expert_id].append((name, organisation_id))
    loads = _expert_loads(ids)
    barred = experts_barred(loads)
    snapshots = [
        ExpertSnapshot(
            id=pk,
            organisation_id=organisation_id,
            credit_code=credit_code or "",
            organisation_name=organisation_name or "",
            fields=tuple(str(f) for f in (expert_fields or [])),
            active=active,
            load=loads[pk],
            load_limit=load_limit,
            conflict_names=tuple(name for name, _org in conflicts[pk]),
            conflict_organisation_ids=tuple(org for _name, org in conflicts[pk] if org),
            credit_barred=pk in barred,
        )
        for pk, _user, organisation_id, credit_code, organisation_name, expert_fields, active, load_limit in rows
    ]
    return {row[0]: row[1] for row in rows}, snapshots


def _draw_record(
    *,
    call: Call,
    kind: str,
    seed: str,
    actor: Any,
    expert_users: dict[int, int],
    pool: list[ExpertSnapshot],
    requests: list[ItemRequest],
    applications: dict[int, Application],
    replacing: dict[int, list[int]],
    purpose: str = P.REVIEW,
) -> tuple[Draw, list[int]]:
    """Run the pure draw over the snapshots, then write the Draw, its items, the assignments
    and the audit row. Returns the draw and the ids of the assignments it made.

    ``replacing`` maps an item to its declined or expired assignments not yet replaced: the
    experts drawn for it replace them in that order (``Assignment.replaces``)."""
    pool_json = [e.as_json() for e in pool]
    # The commitment is taken from the inputs before anything is drawn (reviews/proof.py).
    promise = proof.commitment(pool=pool_json, items=[_item_input(r) for r in requests], seed=seed)
    results = draw_rules.draw_run(requests=requests, pool=pool, seed=seed)
    draw = Draw.objects.create(
        call=call,
        kind=kind,
        seed=seed,
        pool=pool_json,
        performed_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        **promise,
    )
    item_ids = insert_rows(
        DrawItem,
        ["draw_id", "application_id", "item", "assigned", "needed", "exclusions", "chosen", "shortfall"],
        [
            (
                draw.pk,
                request.item.id,
                Json(request.item.as_json()),
                Json(sorted(request.assigned)),
                result.needed,
                Json(result.exclusions),
                Json(result.chosen),
                result.shortfall,
            )
            for request, result in zip(requests, results, strict=True)
        ],
    )
    made = _draw_invitations(
        expert_users=expert_users,
        item_ids=item_ids,
        results=results,
        applications=applications,
        replacing=replacing,
        purpose=purpose,
    )
    audit_record(
        actor=actor,
        action="draw.perform",
        target=draw,
        data={
            "seed": seed,
            **promise,
            "kind": kind,
            "purpose": purpose,
            "call": call.pk,
            "replacing": {str(k): v for k, v in replacing.items() if v},
            # The candidate lists and the exclusions with their reasons are on the write-once
            # DrawItem rows, and follow from what the commitment above covers (replaying the
            # draw gives them: ``draw_replay_items``); here their counts and the choices. The
            # exclusions repeated here were most of a county draw's audit row (248,000 of them
            # for 10,000 items: 2 s to encode, hash and store).
            "items": [
                {
                    "application": r.item_id,
                    "needed": r.needed,
                    "candidates": len(r.candidates),
                    "excluded": len(r.exclusions),
                    "chosen": r.chosen,
                    "shortfall": r.shortfall,
                }
                for r in results
            ],
        },
    )
    return draw, made


def _draw_invitations(
    *,
    expert_users: dict[int, int],
    item_ids: list[int],
    results: list[ItemResult],
    applications: dict[int, Application],
    replacing: dict[int, list[int]],
    purpose: str = P.REVIEW,
) -> list[int]:
    """Write what a draw chose, whatever its size, in a handful of statements: the
    assignments (``core.db.insert_rows``: ``COPY``, no model instance per row) and one
    invitation per expert, not one per item. Returns the new assignments' ids.

    No ``assignment.create`` audit row per assignment (a hand pick still writes one): the
    draw's own ``draw.perform`` row records every item's choices, and each assignment points
    at its ``DrawItem``; the 50,000 rows a county's draw wrote repeated that, and took half of
    its time (issue 18).

    The draw holds the call's row and every candidate expert's row locked, and has left out
    everyone already on an item, so the unique expert-per-item key cannot be hit by a race;
    should it be anyway, the whole draw is refused (409) and nothing of it is written.
    """
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    invited: dict[str, set[int]] = {}
    for item_id, result in zip(item_ids, results, strict=True):
        application = applications[result.item_id]
        due = now + timedelta(days=application.call.review_days)
        gaps = list(replacing.get(result.item_id, []))
        for expert_id in result.chosen:
            rows.append(
                (application.pk, expert_id, A.INVITED, due, now, "", gaps.pop(0) if gaps else None, purpose, item_id)
            )
            invited.setdefault(f"{due:%Y-%m-%d}", set()).add(expert_users[expert_id])
    if not rows:
        return []
    fields = [
        "application_id",
        "expert_id",
        "status",
        "due_at",
        "invited_at",
        "decline_reason",
        "replaces_id",
        "purpose",
    ]
    try:
        with transaction.atomic(savepoint=not boundary_held()):  # as in _assignment_insert
            made = insert_rows(Assignment, [*fields, "draw_item_id"], rows)
    except IntegrityError:
        raise StateConflict(_("An expert was assigned to one of these items meanwhile; draw again.")) from None
    # One invitation per expert, however many items they drew: one ``notify`` per due date
    # (a draw has one), one notification row per expert.
    for day, user_ids in sorted(invited.items()):
        # A query, not a list: ``notify`` reads everyone's e-mail choices along with them.
        users = get_user_model().objects.filter(pk__in=user_ids).order_by("pk")
        if purpose == P.ACCEPTANCE:
            notify(
                recipients=users,
                kind="acceptance_invitation",
                subject=gettext_lazy("Invitation to an acceptance"),
                body=gettext_lazy(
                    "You are invited to take part in the acceptance (验收) of a project, due %(due)s. "
                    "Please accept or decline in your review queue."
                ),
                context={"due": day},
                url=reverse("my-reviews"),
            )
            continue
        notify(
            recipients=users,
            kind="review_invitation",
            subject=gettext_lazy("Invitation to review"),
            body=gettext_lazy(
                "You have new items to review, due %(due)s. Please accept or decline each of them in your review queue."
            ),
            context={"due": day},
            url=reverse("my-reviews"),
        )
    return made


def _assigned_experts(
    application_ids: list[int], purpose: str = P.REVIEW
) -> tuple[dict[int, set[int]], dict[int, list[int]]]:
    """Per item, every expert already on it for ``purpose`` in any state, and its declined or
    expired assignments that nobody has replaced yet (oldest first). One query."""
    assigned: dict[int, set[int]] = {pk: set() for pk in application_ids}
    gone: dict[int, list[int]] = {pk: [] for pk in application_ids}
    replaced: set[int] = set()
    rows = (
        Assignment.objects.filter(application_id__in=application_ids, purpose=purpose)
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


def items_short_of_experts(call: Call) -> QuerySet[Application]:
    """The call's items in expert review with fewer invited, accepted or submitted experts
    than the call asks for (``seated``): what a draw of the call fills."""
    # Counted per item in a subquery that the partial index ``assignment_seated`` answers alone
    # (an index-only count), not by joining and grouping the call's assignments: at 50,000
    # reviews the call page's "is any item short?" cost 70 ms that way (issue 18).
    seated = (
        Assignment.objects.filter(application=OuterRef("pk"), status__in=SEATED_STATES, purpose=P.REVIEW)
        .order_by()
        .values("application")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW)
        .annotate(seated=Coalesce(Subquery(seated), 0))
        .filter(seated__lt=call.reviewers_per_item)
    )


@service_atomic
def draw_for_call(*, call: Call, actor: Any, seed: str | None = None) -> Draw:
    """Draw experts for every item of the call in expert review that lacks some.

    Each such item gets ``call.reviewers_per_item`` minus its invited, accepted and
    submitted assignments, drawn by ``reviews.draw`` from the experts in its field, or none
    at all when the pool falls short (the ``DrawItem`` says by how many). Drawn experts
    replace the item's declined or expired assignments that have no replacement yet.

    Side effects: locks the call and the experts of the fields concerned; writes a ``Draw``
    with one ``DrawItem`` per item considered, one ``Assignment`` per drawn expert, one
    invitation per drawn expert, and a ``draw.perform`` audit row holding the seed, the
    commitment, and per item the numbers of candidates and exclusions and the choices (it
    stands for the assignments: they have no audit row of their own). Queries do not grow with the pool.
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    # Two draws of the same call at once would both see the same items short of experts.
    call = Call.objects.select_for_update().get(pk=call.pk)
    seed = seed if seed else secrets.token_hex(8)
    if len(seed) > 64:
        raise ValidationError({"seed": [_("A seed is at most 64 characters.")]})
    short = list(
        items_short_of_experts(call)
        .select_related("organisation")
        # What the snapshots and the invitations read; an application's other columns (its
        # budget, persons' details, texts) are most of a row and nothing here needs them.
        .only("id", "call_id", "field", "units", "persons", "organisation__name", "organisation__credit_code")
        .order_by("id")
    )
    for application in short:
        application.call = call  # the locked row: one Call instance, not one per item
    assigned, unreplaced = _assigned_experts([a.pk for a in short])
    snapshots = item_snapshots(short)
    requests = [
        ItemRequest(
            item=snapshots[a.pk],
            needed=call.reviewers_per_item - a.seated,  # type: ignore[attr-defined]  # items_short_of_experts annotates it
            assigned=frozenset(assigned[a.pk]),
        )
        for a in short
    ]
    expert_users, pool = _draw_pool({r.item.field for r in requests})
    draw, _made = _draw_record(
        call=call,
        kind=DrawKind.INITIAL,
        seed=seed,
        actor=actor,
        expert_users=expert_users,
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
    if application.status != PURPOSE_STATUS[assignment.purpose]:
        raise StateConflict(_("Experts are assigned only to applications in expert review."))
    assigned, _unreplaced = _assigned_experts([application.pk], assignment.purpose)
    request = ItemRequest(item=item_snapshot(application), needed=1, assigned=frozenset(assigned[application.pk]))
    expert_users, pool = _draw_pool({request.item.field})
    _draw, made = _draw_record(
        call=application.call,
        kind=DrawKind.REPLACEMENT,
        seed=seed if seed else secrets.token_hex(8),
        actor=actor,
        expert_users=expert_users,
        pool=pool,
        requests=[request],
        applications={application.pk: application},
        replacing={application.pk: [assignment.pk]},
        purpose=assignment.purpose,
    )
    if not made:
        return None
    return Assignment.objects.select_related("expert__user", "application").get(pk=made[0])


def acceptance_seated(application: Application) -> int:
    """The project's acceptance experts invited, accepted or done."""
    return Assignment.objects.filter(
        application=application, purpose=P.ACCEPTANCE, status__in=[*OPEN_ASSIGNMENT_STATES, A.SUBMITTED]
    ).count()


@service_atomic
def draw_for_acceptance(*, application: Application, actor: Any, seed: str | None = None) -> Draw:
    """Draw the acceptance experts (验收专家) of one project by the rules of the review draw
    (``reviews.draw``: field, avoidance, credit records, load), with its commitment: the call's
    ``acceptance_experts`` minus those already seated, or nobody when the pool falls short (the
    ``DrawItem`` says by how many). The caller (``aftergrant.acceptance``) checks the project
    is ready for its experts. Side effects as for :func:`draw_for_call`; the invitations say
    acceptance."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    seed = seed if seed else secrets.token_hex(8)
    if len(seed) > 64:
        raise ValidationError({"seed": [_("A seed is at most 64 characters.")]})
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "call")
        .get(pk=application.pk)
    )
    needed = application.call.acceptance_experts - acceptance_seated(application)
    if needed <= 0:
        raise StateConflict(_("The acceptance experts of this project are drawn already."))
    assigned, unreplaced = _assigned_experts([application.pk], P.ACCEPTANCE)
    request = ItemRequest(item=item_snapshot(application), needed=needed, assigned=frozenset(assigned[application.pk]))
    expert_users, pool = _draw_pool({request.item.field})
    draw, _made = _draw_record(
        call=application.call,
        kind=DrawKind.ACCEPTANCE,
        seed=seed,
        actor=actor,
        expert_users=expert_users,
        pool=pool,
        requests=[request],
        applications={application.pk: application},
        replacing=unreplaced,
        purpose=P.ACCEPTANCE,
    )
    return draw


def _item_input(request: ItemRequest) -> dict[str, Any]:
    return {"item": request.item.as_json(), "needed": request.needed, "assigned": sorted(request.assigned)}


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


@functools.cache
def assignment_locked_read(with_review: bool) -> CompiledRead[Assignment]:
    """:func:`_assignment_locked`'s read, compiled once (``core.db.CompiledRead``): every expert's
    step sends it (``workflow.steps.review_submit`` in its lock's statement, handing the row
    over with ``core.db.row_held``)."""
    related = ["expert", "application", "application__call", *(["review"] if with_review else [])]

    def build(pk: int) -> Any:
        return Assignment.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=pk)

    return CompiledRead(build)


def _assignment_locked(assignment: Assignment, actor: Any, *, with_review: bool = False) -> Assignment:
    """The assignment, locked, if ``actor`` is its expert; else 404 (also for no such row).
    ``with_review``: its review (if any) read along, in the same statement. An assignment the
    caller read so (``core.db.row_held``) is that read."""
    locked = assignment if is_row_held(assignment) else assignment_locked_read(with_review).first(pk=assignment.pk)
    if locked is None or not is_assigned_expert(actor, locked):
        raise NotVisible()
    return locked


def _assignment_transition(assignment: Assignment, to: str, actor: Any, action: str, comment: str = "") -> None:
    source = assignment.status
    assignment.status = to
    assignment.responded_at = timezone.now()
    save_fields(assignment, ["status", "responded_at", "decline_reason"])
    audit_record(actor=actor, action=action, target=assignment, from_state=source, to_state=to, comment=comment)


@service_atomic
def assignment_expire(*, assignment: Assignment) -> Assignment:
    """An invitation nobody answered in time: invited → expired, audited with no actor (the
    clock decides when; ``workflow.steps.assignment_expire`` holds the item's lock)."""
    assignment = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    if assignment.status != A.INVITED:
        raise StateConflict(_("This invitation is answered or not yet due."))
    assignment.status = A.EXPIRED
    assignment.save(update_fields=["status"])
    audit_record(actor=None, action="assignment.expire", target=assignment, from_state=A.INVITED, to_state=A.EXPIRED)
    return assignment


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


#: Reviews may be reopened (and resubmitted) until the panel decides the item.
REOPENABLE_STATES = frozenset({ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED})


@service_atomic
def review_submit(*, assignment: Assignment, actor: Any, scores: Any, comment: str, recommendation: str) -> Review:
    """Score an accepted assignment. A submitted review is final unless staff reopen it
    (:func:`review_reopen`); then this writes the new scores into the same review row."""
    assignment = _assignment_locked(assignment, actor, with_review=True)
    criteria = purpose_criteria(assignment.application.call, assignment.purpose)
    # Every mistake at once: the expert fixes the scores and the recommendation in one go.
    errors: dict[str, list[str]] = {}
    try:
        cleaned = clean_scores(criteria, scores)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if recommendation not in RECOMMENDATIONS[assignment.purpose]:
        errors["recommendation"] = [
            _("Choose pass, rectify or fail.") if assignment.purpose == P.ACCEPTANCE else _("Choose support or oppose.")
        ]
    if not (comment or "").strip():
        errors["comment"] = [_("A comment is required.")]
    if errors:
        raise ValidationError(errors)
    if assignment.status == A.SUBMITTED:
        raise StateConflict(_("This review was already submitted."))
    if assignment.status != A.ACCEPTED:
        raise StateConflict(_("Accept the invitation before reviewing."))
    values = {
        "scores": {k: str(v) for k, v in cleaned.items()},
        "weighted_total": weighted_total(criteria, cleaned),
        "comment": comment.strip(),
        "recommendation": recommendation,
    }
    try:
        review: Review | None = assignment.review  # read with the locked assignment
    except Review.DoesNotExist:
        review = None
    if review is None:
        review = Review(assignment=assignment, **values)
        insert_objects([review])
        action = "review.submit"
    else:
        # Reopened by staff: the same row takes the new scores (one review per assignment).
        if assignment.application.status not in REOPENABLE_STATES:
            raise StateConflict(_("The item has been decided; its reviews can no longer change."))
        for key, value in values.items():
            setattr(review, key, value)
        review.submitted_at = timezone.now()
        review.save(update_fields=[*values, "submitted_at"])
        action = "review.resubmit"
    _assignment_transition(assignment, A.SUBMITTED, actor, action)
    if assignment.purpose == P.REVIEW:
        ranking_changed(assignment.application.call_id)
    return review


def ranking_changed(call_id: int) -> None:
    """A review entered or left the call's ranking: its cached ranking is stale. (The one
    ``UPDATE`` ``filter().update(ranking_version=F(…) + 1)`` sends, its text made once: every
    review submitted sends it, issue 18.)"""
    with connection.cursor() as cursor:
        cursor.execute(_RANKING_CHANGED, [call_id])


_RANKING_CHANGED = f'UPDATE "{Call._meta.db_table}" SET "ranking_version" = "ranking_version" + 1 WHERE "id" = %s'  # noqa: S608 - the model's table


@service_atomic
def review_reopen(*, review: Review, actor: Any, reason: str) -> Review:
    """Staff reopen a submitted review so its expert can score again, while the item is not
    yet decided. The audit row keeps the scores as they were; the expert is told. Until the
    expert submits again the review does not count in the ranking."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff reopen a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the review is reopened.")]})
    review = Review.objects.select_related("assignment").get(pk=review.pk)
    # The item row first, as the decision does: a reopen and a decision cannot cross.
    application = Application.objects.select_for_update(of=("self",)).get(pk=review.assignment.application_id)
    assignment = (
        Assignment.objects.select_for_update(of=("self",)).select_related("expert").get(pk=review.assignment_id)
    )
    if application.status not in REOPENABLE_STATES or assignment.purpose != P.REVIEW:
        raise StateConflict(_("The item has been decided; its reviews can no longer be reopened."))
    if assignment.status != A.SUBMITTED:
        raise StateConflict(_("This review is already open for the expert."))
    assignment.status = A.ACCEPTED
    assignment.save(update_fields=["status"])
    ranking_changed(application.call_id)
    audit_record(
        actor=actor,
        action="review.reopen",
        target=review,
        from_state=A.SUBMITTED,
        to_state=A.ACCEPTED,
        comment=reason[:2000],
        data={
            "assignment": assignment.pk,
            "application": application.pk,
            "previous": {
                "scores": review.scores,
                "weighted_total": str(review.weighted_total),
                "recommendation": review.recommendation,
                "comment": review.comment,
                "submitted_at": review.submitted_at.isoformat(),
            },
        },
    )
    notify(
        recipients=[assignment.expert.user],
        kind="review_reopened",
        subject=gettext_lazy("Your review was reopened: %(title)s"),
        body=gettext_lazy("The bureau reopened your review of “%(title)s”: %(reason)s. Please score it again."),
        context={"title": application.title, "reason": reason[:300]},
        url=reverse("review-detail", args=[assignment.pk]),
    )
    review.assignment = assignment
    return review


@service_atomic
def review_comment_withhold(*, review: Review, actor: Any, reason: str) -> Review:
    """Staff withhold a review's comment from the applicant's feedback (funding/feedback.py),
    with a reason; the applicant reads "withheld by the bureau" in its place, the scores stay.
    Once withheld it stays withheld (409 on a second try). Audited with the reason; the comment
    itself stays on the review for staff and the panel."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff withhold a comment."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the comment is withheld.")]})
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.comment_withheld:
        raise StateConflict(_("This comment is already withheld."))
    review.comment_withheld_reason = reason[:2000]
    review.comment_withheld_at = timezone.now()
    review.comment_withheld_by = actor
    review.save(update_fields=["comment_withheld_reason", "comment_withheld_at", "comment_withheld_by"])
    audit_record(
        actor=actor,
        action="review.withhold_comment",
        target=review,
        comment=review.comment_withheld_reason,
        data={"assignment": review.assignment_id},
    )
    return review

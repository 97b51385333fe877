"""The random expert draw (随机抽取), as pure functions: no database, no clock, no global state.

The services in ``reviews.services`` read the pool into snapshots, call :func:`draw_run` and
write down what it chose; :func:`reviews.services.draw_replay` rebuilds the same snapshots from
the stored ``Draw``/``DrawItem`` rows and calls :func:`draw_run` again. Both go through the
same code, so a replay that agrees with the record shows that the recorded seed and the pool
as it was really produce the recorded experts.

The rules, in the order they are checked (the first that applies is the reason recorded):

1. only experts whose fields include the item's field are candidates at all (field
   mismatches are not listed as exclusions: the pool is large and they say nothing useful);
2. ``inactive``: the expert is not active;
2a. ``credit_record``: the expert has a confirmed credit record (科研诚信) in force, of any level
   (``integrity``; :attr:`ExpertSnapshot.credit_barred`);
3. ``already_assigned``: the expert already has an assignment on this item, in any state
   (a decliner is not drawn again);
4. ``same_organisation``: the expert's organisation is one of the item's — the same row, the
   same credit code when both have one, or the same name when either lacks a code;
5. ``declared_conflict``: the expert declared a conflict with one of the item's organisations;
6. ``load_limit``: the expert's open assignments (counting this draw's earlier picks) reach
   their load limit.

Manual assignment applies rules 2, 2a, 4, 5 and 6 through :func:`exclusion_reason` too, so hand
picks and draws avoid the same people; staff may hand-pick outside the item's field.

The choice is all or nothing per item: when fewer experts are eligible than needed, none is
chosen and the shortfall is reported, so an item is never left half drawn.

"The item's organisations" are the applicant's (for a nomination, the lead completing unit)
and, for a nomination, every other completing unit and every listed person's organisation
(:attr:`ItemSnapshot.others`): an expert from the second completing unit is as conflicted as
one from the first.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .enums import DrawExclusion

X = DrawExclusion


@dataclass(frozen=True)
class OrgRef:
    """One organisation an item involves, as the avoidance rules compare it."""

    id: int | None
    credit_code: str
    name: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "credit_code": self.credit_code, "name": self.name}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrgRef:
        return cls(id=data.get("id"), credit_code=str(data.get("credit_code") or ""), name=str(data.get("name") or ""))


@dataclass(frozen=True)
class ItemSnapshot:
    """What the draw needs to know about an item (an application) and its applicant."""

    id: int
    organisation_id: int | None
    credit_code: str
    organisation_name: str
    field: str
    #: The item's other organisations: a nomination's other completing units and its persons'
    #: organisations. Empty for a plan application (and in draws recorded before they counted).
    others: tuple[OrgRef, ...] = ()

    def organisations(self) -> tuple[OrgRef, ...]:
        """Every organisation an expert must not belong to (or have declared a conflict with)."""
        return (OrgRef(self.organisation_id, self.credit_code, self.organisation_name), *self.others)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "organisation_id": self.organisation_id,
            "credit_code": self.credit_code,
            "organisation_name": self.organisation_name,
            "field": self.field,
        }
        if self.others:
            data["others"] = [o.as_json() for o in self.others]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemSnapshot:
        return cls(
            id=int(data["id"]),
            organisation_id=data.get("organisation_id"),
            credit_code=str(data.get("credit_code") or ""),
            organisation_name=str(data.get("organisation_name") or ""),
            field=str(data.get("field") or ""),
            others=tuple(OrgRef.from_json(o) for o in data.get("others") or ()),
        )


@dataclass(frozen=True)
class ExpertSnapshot:
    """An expert's eligibility inputs at the moment of the draw."""

    id: int
    organisation_id: int | None
    credit_code: str
    organisation_name: str
    fields: tuple[str, ...]
    active: bool
    load: int
    load_limit: int
    conflict_names: tuple[str, ...] = ()
    conflict_organisation_ids: tuple[int, ...] = field(default=())
    #: A confirmed credit record in force bars the expert (rule 2a). Written to the snapshot
    #: only when set, so the pools of draws recorded before the rule hash as they did.
    credit_barred: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "organisation_id": self.organisation_id,
            "credit_code": self.credit_code,
            "organisation_name": self.organisation_name,
            "fields": list(self.fields),
            "active": self.active,
            "load": self.load,
            "load_limit": self.load_limit,
            "conflict_names": list(self.conflict_names),
            "conflict_organisation_ids": list(self.conflict_organisation_ids),
        }
        if self.credit_barred:
            data["credit_barred"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExpertSnapshot:
        return cls(
            id=int(data["id"]),
            organisation_id=data.get("organisation_id"),
            credit_code=str(data.get("credit_code") or ""),
            organisation_name=str(data.get("organisation_name") or ""),
            fields=tuple(data.get("fields") or ()),
            active=bool(data["active"]),
            load=int(data["load"]),
            load_limit=int(data["load_limit"]),
            conflict_names=tuple(data.get("conflict_names") or ()),
            conflict_organisation_ids=tuple(data.get("conflict_organisation_ids") or ()),
            credit_barred=bool(data.get("credit_barred")),
        )


@dataclass(frozen=True)
class ItemRequest:
    """One item to draw for: how many experts it still needs and who is already on it."""

    item: ItemSnapshot
    needed: int
    assigned: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ItemResult:
    item_id: int
    needed: int
    #: Expert ids in the item's field, in the order considered (by id).
    candidates: list[int]
    #: ``{"expert": id, "reason": DrawExclusion}`` for every candidate passed over.
    exclusions: list[dict[str, Any]]
    #: The drawn experts, in the order drawn; empty when the pool fell short.
    chosen: list[int]
    #: How many more eligible experts the item would have needed; 0 when complete.
    shortfall: int


def _norm(text: str) -> str:
    return (text or "").strip()


def _same_org(org: OrgRef, expert: ExpertSnapshot) -> bool:
    if expert.organisation_id is not None and expert.organisation_id == org.id:
        return True
    if org.credit_code and expert.credit_code:
        return _norm(org.credit_code).upper() == _norm(expert.credit_code).upper()
    return bool(_norm(org.name)) and _norm(org.name) == _norm(expert.organisation_name)


def same_organisation(item: ItemSnapshot, expert: ExpertSnapshot) -> bool:
    """The expert belongs to one of the item's organisations: the same row, else the same
    credit code when both have one, else the same name (an organisation imported without its
    code is still recognised)."""
    return any(_same_org(org, expert) for org in item.organisations())


def declared_conflict(item: ItemSnapshot, expert: ExpertSnapshot) -> bool:
    """The expert declared a conflict with one of the item's organisations."""
    names = {_norm(n) for n in expert.conflict_names}
    for org in item.organisations():
        if org.id is not None and org.id in expert.conflict_organisation_ids:
            return True
        if _norm(org.name) and _norm(org.name) in names:
            return True
    return False


def exclusion_reason(item: ItemSnapshot, expert: ExpertSnapshot, assigned: Collection[int] = ()) -> str:
    """Why ``expert`` may not review ``item``, or '' when they may. Fields are not checked here."""
    if not expert.active:
        return X.INACTIVE
    if expert.credit_barred:
        return X.CREDIT_RECORD
    if expert.id in assigned:
        return X.ALREADY_ASSIGNED
    if same_organisation(item, expert):
        return X.SAME_ORGANISATION
    if declared_conflict(item, expert):
        return X.DECLARED_CONFLICT
    if expert.load >= expert.load_limit:
        return X.LOAD_LIMIT
    return ""


def rng_for(seed: str, item_id: int) -> random.Random:
    # Seeding with a str hashes it with SHA-512 (seed version 2), the same in every process
    # and on every machine; hash() would not be (PYTHONHASHSEED).
    return random.Random(f"{seed}:{item_id}")  # noqa: S311 - a fair, replayable draw, not a secret


def draw_item(
    *,
    item: ItemSnapshot,
    pool: Sequence[ExpertSnapshot],
    needed: int,
    assigned: Collection[int],
    seed: str,
) -> ItemResult:
    """Draw ``needed`` experts for one item from ``pool`` (all or none)."""
    candidates = sorted((e for e in pool if item.field in e.fields), key=lambda e: e.id)
    exclusions: list[dict[str, Any]] = []
    eligible: list[int] = []
    for expert in candidates:
        reason = exclusion_reason(item, expert, assigned)
        if reason:
            exclusions.append({"expert": expert.id, "reason": str(reason)})
        else:
            eligible.append(expert.id)
    needed = max(needed, 0)
    if len(eligible) < needed:
        chosen: list[int] = []
        shortfall = needed - len(eligible)
    else:
        chosen = rng_for(seed, item.id).sample(eligible, needed)
        shortfall = 0
    return ItemResult(
        item_id=item.id,
        needed=needed,
        candidates=[e.id for e in candidates],
        exclusions=exclusions,
        chosen=chosen,
        shortfall=shortfall,
    )


class PoolIndex:
    """The pool indexed once per draw, so each item costs a few set operations instead of a
    pass of :func:`exclusion_reason` over every expert in its field.

    It applies exactly the rules of :func:`exclusion_reason` and :func:`same_organisation`
    (``tests/reviews/test_draw_rules.py`` checks :func:`draw_run` against
    :func:`draw_run_reference`, the rules applied one expert at a time, over random pools).
    """

    def __init__(self, pool: Sequence[ExpertSnapshot]) -> None:
        experts = sorted(pool, key=lambda e: e.id)
        self.loads = {e.id: e.load for e in experts}
        self.limits = {e.id: e.load_limit for e in experts}
        self.at_limit = {e.id for e in experts if e.load >= e.load_limit}
        self.inactive = {e.id for e in experts if not e.active}
        self.credit_barred = {e.id for e in experts if e.credit_barred}
        self.by_field: dict[str, list[int]] = {}
        self.by_org: dict[int, set[int]] = {}
        self.by_code: dict[str, set[int]] = {}
        self.by_name: dict[str, set[int]] = {}
        self.without_code: set[int] = set()
        self.conflict_org: dict[int, set[int]] = {}
        self.conflict_name: dict[str, set[int]] = {}
        for e in experts:
            for name in dict.fromkeys(e.fields):
                self.by_field.setdefault(name, []).append(e.id)
            if e.organisation_id is not None:
                self.by_org.setdefault(e.organisation_id, set()).add(e.id)
            if e.credit_code:
                self.by_code.setdefault(_norm(e.credit_code).upper(), set()).add(e.id)
            else:
                self.without_code.add(e.id)
            if _norm(e.organisation_name):
                self.by_name.setdefault(_norm(e.organisation_name), set()).add(e.id)
            for org_id in e.conflict_organisation_ids:
                self.conflict_org.setdefault(org_id, set()).add(e.id)
            for name in e.conflict_names:
                if _norm(name):
                    self.conflict_name.setdefault(_norm(name), set()).add(e.id)
        self.field_sets = {name: set(ids) for name, ids in self.by_field.items()}

    def _same_org(self, org: OrgRef) -> set[int]:
        same = set(self.by_org.get(org.id, ())) if org.id is not None else set()
        name = _norm(org.name)
        by_name = self.by_name.get(name, set()) if name else set()
        if org.credit_code:
            # Both have a code: the codes decide. Otherwise the names do.
            code = _norm(org.credit_code).upper()
            return same | self.by_code.get(code, set()) | (by_name & self.without_code)
        return same | by_name

    def same_organisation(self, item: ItemSnapshot) -> set[int]:
        found: set[int] = set()
        for org in item.organisations():
            found |= self._same_org(org)
        return found

    def declared_conflict(self, item: ItemSnapshot) -> set[int]:
        found: set[int] = set()
        for org in item.organisations():
            if org.id is not None:
                found |= self.conflict_org.get(org.id, set())
            name = _norm(org.name)
            if name:
                found |= self.conflict_name.get(name, set())
        return found

    def take(self, expert_id: int) -> None:
        self.loads[expert_id] += 1
        if self.loads[expert_id] >= self.limits[expert_id]:
            self.at_limit.add(expert_id)

    def draw(self, request: ItemRequest, seed: str) -> ItemResult:
        item = request.item
        candidates = self.by_field.get(item.field, [])
        in_field = self.field_sets.get(item.field, set())
        # Each rule's experts among the candidates, in the order the rules are checked: the
        # first rule that applies is the reason recorded.
        rules = (
            (X.INACTIVE, self.inactive & in_field),
            (X.CREDIT_RECORD, self.credit_barred & in_field),
            (X.ALREADY_ASSIGNED, set(request.assigned) & in_field),
            (X.SAME_ORGANISATION, self.same_organisation(item) & in_field),
            (X.DECLARED_CONFLICT, self.declared_conflict(item) & in_field),
            (X.LOAD_LIMIT, self.at_limit & in_field),
        )
        reasons: dict[int, str] = {}
        for reason, ids in rules:
            for expert_id in ids:
                reasons.setdefault(expert_id, str(reason))
        exclusions = [{"expert": pk, "reason": reasons[pk]} for pk in sorted(reasons)]
        eligible = [pk for pk in candidates if pk not in reasons] if reasons else candidates
        needed = max(request.needed, 0)
        if len(eligible) < needed:
            chosen: list[int] = []
            shortfall = needed - len(eligible)
        else:
            chosen = rng_for(seed, item.id).sample(eligible, needed)
            shortfall = 0
        return ItemResult(
            item_id=item.id,
            needed=needed,
            # The field's list itself, shared by its items (nobody changes it): copying a
            # thousand ids for each of 10,000 items would cost more than the draw.
            candidates=candidates,
            exclusions=exclusions,
            chosen=chosen,
            shortfall=shortfall,
        )


def draw_run(*, requests: Sequence[ItemRequest], pool: Sequence[ExpertSnapshot], seed: str) -> list[ItemResult]:
    """Draw for each item in order. An expert drawn for one item carries that load into the
    next, so one draw never pushes anybody past their limit."""
    index = PoolIndex(pool)
    results = []
    for request in requests:
        result = index.draw(request, seed)
        for expert_id in result.chosen:
            index.take(expert_id)
        results.append(result)
    return results


def draw_run_reference(
    *, requests: Sequence[ItemRequest], pool: Sequence[ExpertSnapshot], seed: str
) -> list[ItemResult]:
    """:func:`draw_run` written the plain way, one expert at a time through
    :func:`draw_item`: the specification the indexed version is tested against."""
    loads = {e.id: e.load for e in pool}
    results = []
    for request in requests:
        current = [e if loads[e.id] == e.load else replace(e, load=loads[e.id]) for e in pool]
        result = draw_item(item=request.item, pool=current, needed=request.needed, assigned=request.assigned, seed=seed)
        for expert_id in result.chosen:
            loads[expert_id] += 1
        results.append(result)
    return results

"""draw_for_call on PostgreSQL: who is drawn, who is passed over and why, what is recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from applications.enums import ApplicationStatus
from applications.models import Application
from audit.models import AuditEntry
from reviews.enums import AssignmentStatus, DrawKind
from reviews.models import Assignment, Draw, Expert
from reviews.services import (
    assignment_create,
    assignment_decline,
    conflict_declare,
    draw_for_call,
    draw_replacement,
    draw_replay,
)
from tests.conftest import make_expert

pytestmark = pytest.mark.django_db


def in_review(call, applicant, title="高效节能阀门研发", field="manufacturing", organisation=None):
    """An item past formal review (the flow is not needed to draw for it)."""
    return Application.objects.create(
        call=call,
        applicant=applicant,
        organisation=organisation or applicant.organisation,
        title=title,
        field=field,
        requested_yuan=Decimal("300000.00"),
        status=ApplicationStatus.IN_REVIEW,
    )


@pytest.fixture
def pool(org_owner, org_expert, staff, expert, expert2, unassigned_expert, conflicted_expert):
    """Three eligible experts and one of each kind the draw must avoid."""
    declared = make_expert("declared_expert", org_expert)
    conflict_declare(expert=declared, actor=staff, organisation_name=org_owner.name)
    # The applicant's organisation entered again without its credit code: recognised by name.
    same_name = make_expert("same_name_expert", Organisation.objects.create(name=org_owner.name))
    inactive = make_expert("inactive_expert", org_expert)
    inactive.active = False
    inactive.save()
    full = make_expert("full_expert", org_expert)
    full.load_limit = 0
    full.save()
    outsider = make_expert("agronomist", org_expert, fields=["agriculture"])
    return {
        "eligible": {expert.pk, expert2.pk, unassigned_expert.pk},
        "excluded": {
            conflicted_expert.pk: "same_organisation",
            same_name.pk: "same_organisation",
            declared.pk: "declared_conflict",
            inactive.pk: "inactive",
            full.pk: "load_limit",
        },
        "outsider": outsider,
    }


def test_draw_for_call_draws_n_eligible_experts_and_records_why_others_were_passed_over(call, applicant, staff, pool):
    app = in_review(call, applicant)
    draw = draw_for_call(call=call, actor=staff, seed="2016-first-batch")

    chosen = set(Assignment.objects.filter(application=app).values_list("expert_id", flat=True))
    assert len(chosen) == call.reviewers_per_item == 2
    assert chosen <= pool["eligible"]
    assert draw.seed == "2016-first-batch"
    assert draw.kind == DrawKind.INITIAL
    assert draw.performed_by == staff
    (item,) = draw.items.all()
    assert item.application == app
    assert set(item.chosen) == chosen
    assert item.shortfall == 0
    assert item.candidates == sorted(pool["eligible"] | set(pool["excluded"]))  # field mismatches left out
    assert {x["expert"]: x["reason"] for x in item.exclusions} == pool["excluded"]
    assert set(Assignment.objects.filter(draw_item=item).values_list("expert_id", flat=True)) == chosen
    entry = AuditEntry.objects.get(action="draw.perform", target_id=draw.pk)
    assert entry.actor == staff
    assert entry.data["seed"] == "2016-first-batch"
    # The reasons are on the DrawItem (and follow from the committed snapshot); the chained
    # row counts them and holds the choices.
    assert entry.data["items"][0]["excluded"] == len(item.exclusions) == len(pool["excluded"])
    assert entry.data["items"][0]["chosen"] == item.chosen
    assert entry.data["items"][0]["candidates"] == len(item.candidates)  # the list: DrawItem.candidates, from Draw.pool
    assert draw_replay(draw=draw) == {app.pk: item.chosen}


def test_draw_for_call_assigns_nobody_to_an_item_the_pool_cannot_fill(call, applicant, staff, pool):
    app = in_review(call, applicant)
    farm = in_review(call, applicant, title="高山茶种植", field="agriculture")  # one agronomist, two needed
    draw = draw_for_call(call=call, actor=staff)

    short = draw.items.get(application=farm)
    assert short.needed == 2
    assert short.shortfall == 1
    assert short.chosen == []
    assert short.candidates == [pool["outsider"].pk]
    assert not Assignment.objects.filter(application=farm).exists()
    assert Assignment.objects.filter(application=app).count() == 2
    assert len(draw.seed) == 16  # generated: secrets.token_hex(8)
    assert draw_replay(draw=draw) == {item.application_id: item.chosen for item in draw.items.all()}


def test_draw_for_call_tops_up_and_skips_items_with_enough_experts(call, applicant, staff, pool, expert):
    topped = in_review(call, applicant, title="甲")
    full = in_review(call, applicant, title="乙")
    assignment_create(application=topped, expert=expert, actor=staff)
    for e in pool["eligible"] - {expert.pk}:
        assignment_create(application=full, expert=Expert.objects.get(pk=e), actor=staff)
    draw = draw_for_call(call=call, actor=staff)

    (item,) = draw.items.all()
    assert item.application == topped
    assert item.needed == 1
    assert {"expert": expert.pk, "reason": "already_assigned"} in item.exclusions
    assert Assignment.objects.filter(application=topped).count() == 2
    assert Assignment.objects.filter(application=full).count() == 2


def test_draw_never_pushes_an_expert_past_their_load_limit(call, applicant, staff, org_expert):
    call.reviewers_per_item = 1
    call.save()
    experts = [make_expert(f"busy{i}", org_expert) for i in range(2)]
    for e in experts:
        e.load_limit = 1
        e.save()
    apps = [in_review(call, applicant, title=f"项目{i}") for i in range(3)]
    draw = draw_for_call(call=call, actor=staff)

    per_expert = [Assignment.objects.filter(expert=e).count() for e in experts]
    assert per_expert == [1, 1]
    assert sorted(i.shortfall for i in draw.items.all()) == [0, 0, 1]
    last = draw.items.get(shortfall=1)
    assert {x["reason"] for x in last.exclusions} == {"load_limit"}
    assert draw_replay(draw=draw) == {i.application_id: i.chosen for i in draw.items.all()}
    assert len(apps) == draw.items.count()


def test_draw_same_seed_and_pool_replays_the_same_experts(call, applicant, staff, org_expert):
    for i in range(12):
        make_expert(f"pool{i}", org_expert)
    apps = [in_review(call, applicant, title=f"项目{i}") for i in range(4)]
    draw = draw_for_call(call=call, actor=staff, seed="fixed")
    recorded = {i.application_id: i.chosen for i in draw.items.all()}
    assert set(recorded) == {a.pk for a in apps}
    # The pool changes afterwards; the replay works from the pool as it was.
    Assignment.objects.update(status=AssignmentStatus.DECLINED)
    Expert.objects.update(active=False)
    assert draw_replay(draw=Draw.objects.get(pk=draw.pk)) == recorded


def test_draw_for_call_is_staff_only(call, applicant, expert):
    in_review(call, applicant)
    with pytest.raises(PermissionDenied):
        draw_for_call(call=call, actor=applicant)
    with pytest.raises(PermissionDenied):
        draw_for_call(call=call, actor=expert.user)
    assert not Draw.objects.exists()


def test_draw_refuses_an_overlong_seed(call, applicant, staff):
    with pytest.raises(ValidationError):
        draw_for_call(call=call, actor=staff, seed="x" * 65)


def test_hand_assignment_avoids_the_same_people_as_the_draw(call, applicant, staff, org_owner):
    """One set of rules: an expert from the applicant's organisation known only by name."""
    same_name = make_expert("same_name_expert", Organisation.objects.create(name=org_owner.name))
    with pytest.raises(ValidationError) as err:
        assignment_create(application=in_review(call, applicant), expert=same_name, actor=staff)
    assert "expert" in err.value.message_dict


def test_draw_replacement_takes_the_place_of_a_declined_assignment(
    call, applicant, staff, expert, expert2, unassigned_expert
):
    app = in_review(call, applicant)
    draw_for_call(call=call, actor=staff, seed="s")
    first = Assignment.objects.filter(application=app).first()
    assignment_decline(assignment=first, actor=first.expert.user, reason="出差")
    replacement = draw_replacement(assignment=first, actor=staff)

    assert replacement is not None
    assert replacement.replaces_id == first.pk
    assert replacement.expert_id not in {
        a.expert_id for a in Assignment.objects.filter(application=app).exclude(pk=replacement.pk)
    }
    draw = replacement.draw_item.draw
    assert draw.kind == DrawKind.REPLACEMENT
    assert {x["expert"]: x["reason"] for x in replacement.draw_item.exclusions}[first.expert_id] == "already_assigned"
    assert draw_replay(draw=draw) == {app.pk: [replacement.expert_id]}
    # Nobody is left: the next replacement draw records the shortfall and assigns nobody.
    assignment_decline(assignment=replacement, actor=replacement.expert.user, reason="生病")
    assert draw_replacement(assignment=replacement, actor=staff) is None
    assert Draw.objects.filter(kind=DrawKind.REPLACEMENT).latest("id").items.get().shortfall == 1


def _count_draw_queries(call, staff) -> int:
    with CaptureQueriesContext(connection) as ctx:
        draw_for_call(call=call, actor=staff, seed="count")
    return len(ctx.captured_queries)


def test_draw_for_call_queries_do_not_grow_with_the_pool(programme, call, applicant, staff, org_expert, org_other):
    from applications.models import Call

    def call_with_pool(field: str, experts: int) -> Call:
        other = Call.objects.get(pk=call.pk)
        other.pk = None
        other.save()
        for i in range(experts):
            e = make_expert(f"{field}{i}", org_expert if i % 2 else org_other, fields=[field, "other"])
            conflict_declare(expert=e, actor=staff, organisation_name=f"某单位{i}")
        for i in range(2):
            in_review(other, applicant, title=f"{field}-{i}", field=field)
        return other

    warm = call_with_pool("warmup", 5)
    _count_draw_queries(warm, staff)  # content types, permissions and groups come into the caches
    small = _count_draw_queries(call_with_pool("small", 5), staff)
    large = _count_draw_queries(call_with_pool("large", 50), staff)
    assert Assignment.objects.filter(application__field="large").count() == 4
    assert large == small

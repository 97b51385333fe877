"""Avoidance (回避) on a nomination covers every completing unit and every listed person's
organisation, not only the lead unit: in the draw, by hand and in a replacement draw."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organisation
from awards.services import nomination_create
from reviews.models import Assignment, DrawItem
from reviews.services import conflict_declare, draw_replay
from tests.conftest import make_code, make_expert
from workflow import steps

from .conftest import NOMINATION

SECOND_UNIT = "温州大学"
PERSON_ORG = "温州医科大学"


@pytest.fixture
def nomination(award_round: Any, nominator: Any, staff: Any) -> Any:
    item = nomination_create(
        actor=nominator,
        award_round=award_round,
        **{
            **NOMINATION,
            "units": ["永嘉县东蒙集团有限公司", SECOND_UNIT],
            "persons": [{"name": "王建国", "organisation": PERSON_ORG}, "李红"],
        },
    )
    steps.application_submit(application=item, actor=nominator)
    steps.formal_review(application=item, actor=staff, decision="accept")
    return item


@pytest.fixture
def conflicted(db: Any, staff: Any) -> dict[str, Any]:
    """One expert for each way a nomination's organisations reach them."""
    second_unit = Organisation.objects.create(name=SECOND_UNIT, credit_code=make_code("12330000470005311"))
    declared = make_expert("declares_person_org", Organisation.objects.create(name="瑞安市人民医院"))
    conflict_declare(expert=declared, actor=staff, organisation_name=PERSON_ORG)
    return {
        "second_unit": make_expert("from_second_unit", second_unit),
        # Known by name only (no credit code): the name still counts.
        "person_org": make_expert("from_person_org", Organisation.objects.create(name=PERSON_ORG)),
        "declared": declared,
    }


def test_draw_avoids_every_unit_and_persons_organisation(award_round, staff, nomination, conflicted, review_expert):
    steps.call_draw(call=award_round, actor=staff, seed="avoid")

    assert list(Assignment.objects.filter(application=nomination).values_list("expert_id", flat=True)) == [
        review_expert.pk
    ]
    reasons = {x["expert"]: x["reason"] for x in DrawItem.objects.get(application=nomination).exclusions}
    assert reasons[conflicted["second_unit"].pk] == "same_organisation"
    assert reasons[conflicted["person_org"].pk] == "same_organisation"
    assert reasons[conflicted["declared"].pk] == "declared_conflict"
    # The record holds the organisations it avoided, so a replay agrees with it.
    item = DrawItem.objects.get(application=nomination)
    assert {o["name"] for o in item.item["others"]} == {SECOND_UNIT, PERSON_ORG}
    assert draw_replay(draw=item.draw) == {nomination.pk: [review_expert.pk]}


@pytest.mark.parametrize("who", ["second_unit", "person_org", "declared"])
def test_hand_assignment_refuses_an_expert_of_any_of_the_nominations_organisations(staff, nomination, conflicted, who):
    with pytest.raises(ValidationError) as err:
        steps.assignment_add(application=nomination, expert=conflicted[who], actor=staff)
    assert "expert" in err.value.message_dict


def test_replacement_after_a_decline_avoids_them_too(award_round, staff, nomination, conflicted, review_expert):
    steps.call_draw(call=award_round, actor=staff, seed="avoid")
    first = Assignment.objects.get(application=nomination)
    # The only eligible expert declines: the replacement draw finds nobody (all others conflicted).
    steps.assignment_decline(assignment=first, actor=review_expert.user, reason="出差")
    assert not Assignment.objects.filter(replaces=first).exists()
    replacement_item = DrawItem.objects.filter(application=nomination).latest("id")
    assert replacement_item.shortfall == 1
    excluded = {x["expert"] for x in replacement_item.exclusions}
    assert {e.pk for e in conflicted.values()} <= excluded

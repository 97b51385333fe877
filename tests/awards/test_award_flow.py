"""A progress award through the step entry points: quotas, the publish check, granting,
the bonus through the two-person finance approval, and the report adding up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override
from viewflow.workflow.status import PROCESS

from applications.enums import ApplicationStatus as S
from awards.models import AwardLevel
from awards.services import award_round_create, nomination_create, round_report
from core.errors import StateConflict
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement, FundingDecision
from tests.conftest import close_notice
from workflow import steps
from workflow.models import AwardNominationProcess

from ..funding.test_money_races import race
from .conftest import NOMINATION

pytestmark = pytest.mark.django_db(transaction=True)


def test_round_budget_is_what_the_levels_can_pay(award_round):
    assert award_round.kind == "award"
    assert award_round.budget_yuan == Decimal("3") * 30000 + 9 * 20000 + 20 * 10000
    assert award_round.tranches == [100]
    assert [(lv.level, lv.quota, lv.bonus_yuan) for lv in award_round.levels.all()] == [
        (1, 3, Decimal("30000.00")),
        (2, 9, Decimal("20000.00")),
        (3, 20, Decimal("10000.00")),
    ]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([], "at least one level"),
        ([{"level": 4, "quota": 1, "bonus_yuan": "1000"}], "1, 2 or 3"),
        ([{"level": 1, "quota": 1, "bonus_yuan": "0"}], "greater than zero"),
        ([{"level": 1, "quota": -1, "bonus_yuan": "10"}], "whole number"),
        ([{"level": 1, "quota": 1, "bonus_yuan": "10"}, {"level": 1, "quota": 1, "bonus_yuan": "10"}], "twice"),
        ([{"level": 1, "quota": 0, "bonus_yuan": "10"}], "above zero"),
    ],
)
def test_round_with_bad_levels_is_refused_on_the_levels_field(staff, award_round, levels, message):
    with override("en"), pytest.raises(ValidationError) as exc:
        award_round_create(
            actor=staff,
            title="x",
            year=2016,
            opens_at=award_round.opens_at,
            closes_at=award_round.closes_at,
            levels=levels,
            criteria=[],
        )
    assert message in " ".join(exc.value.message_dict["levels"])


def test_nomination_needs_units_and_persons_and_leads_with_the_first_unit(award_round, nominator):
    with pytest.raises(ValidationError) as exc:
        nomination_create(actor=nominator, award_round=award_round, **{**NOMINATION, "units": [], "persons": []})
    assert set(exc.value.message_dict) == {"units", "persons"}
    nomination = nomination_create(actor=nominator, award_round=award_round, **NOMINATION)
    assert nomination.kind == "nomination"
    assert nomination.organisation.name == "永嘉县东蒙集团有限公司"
    assert nomination.persons[1] == {"name": "李红"}
    assert nomination.requested_yuan == 0


def test_plan_call_takes_no_nomination_and_round_takes_no_application(call, award_round, nominator, applicant):
    from applications.services import application_create

    with pytest.raises(ValidationError):
        nomination_create(actor=nominator, award_round=call, **NOMINATION)
    with pytest.raises(ValidationError):
        application_create(actor=applicant, call=award_round, title="x", field="y", requested_yuan="1")


def test_award_runs_from_nomination_to_bonus_paid(
    award_round, nominator, staff, panel, reviewed_nominations, finance_officer, finance_head
):
    (first, second, third) = reviewed_nominations(3)
    process = steps.process_of(first)
    assert isinstance(process, AwardNominationProcess)
    assert all(n.status == S.REVIEWED for n in (first, second, third))

    steps.award_decide(nomination=first, actor=panel, level=1, comment="国内领先")
    steps.award_decide(nomination=second, actor=panel, level=3)
    steps.award_decide(nomination=third, actor=panel, level=None, comment="创新性不足")
    with pytest.raises(StateConflict):
        steps.award_decide(nomination=third, actor=panel, level=2)
    with pytest.raises(StateConflict):  # a nomination gets a level, not an amount
        steps.decide(application=third, actor=panel, fund=True, approved_yuan="1.00")

    notice = steps.notice_publish(call=award_round, actor=staff)
    assert set(notice.applications.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    close_notice(notice, staff)

    first.refresh_from_db()
    assert first.status == S.GRANTED
    bonuses = {d.application_id: d for d in Disbursement.objects.filter(application__call=award_round)}
    assert set(bonuses) == {first.pk, second.pk}
    assert bonuses[first.pk].amount_yuan == Decimal("30000.00")
    assert bonuses[second.pk].amount_yuan == Decimal("10000.00")

    bonus = bonuses[first.pk]
    with pytest.raises(PermissionDenied):  # the head does not approve first
        steps.disbursement_approve(disbursement=bonus, actor=finance_head)
    steps.disbursement_approve(disbursement=bonus, actor=finance_officer)
    with pytest.raises(PermissionDenied):  # nor the officer twice
        steps.disbursement_approve(disbursement=bonus, actor=finance_officer)
    steps.disbursement_approve(disbursement=bonus, actor=finance_head)
    steps.disbursement_pay(disbursement=bonus, actor=finance_officer, voucher="JL-2016-001")
    first.refresh_from_db()
    assert first.status == S.CLOSED
    assert steps.process_of(first).status == PROCESS.DONE
    third.refresh_from_db()
    assert third.status == S.NOT_AWARDED
    assert steps.process_of(third).status == PROCESS.DONE

    report = round_report(award_round)
    assert [(r.level, r.count, r.total_yuan) for r in report.levels] == [
        (1, 1, Decimal("30000.00")),
        (2, 0, Decimal("0.00")),
        (3, 1, Decimal("10000.00")),
    ]
    assert report.total_yuan == report.requested_yuan == Decimal("40000.00")
    assert report.paid_yuan == Decimal("30000.00")
    assert report.awarded == report.count == 2


def test_quota_full_is_a_conflict(award_round, panel, reviewed_nominations):
    AwardLevel.objects.filter(round=award_round, level=1).update(quota=1)
    a, b = reviewed_nominations(2)
    steps.award_decide(nomination=a, actor=panel, level=1)
    with pytest.raises(StateConflict, match="quota"):
        steps.award_decide(nomination=b, actor=panel, level=1)
    b.refresh_from_db()
    assert b.status == S.REVIEWED
    steps.award_decide(nomination=b, actor=panel, level=2)


def test_a_level_outside_one_to_three_is_bad_input(award_round, panel, reviewed_nominations):
    (a,) = reviewed_nominations(1)
    for level in (0, 4, "1", True):
        with pytest.raises(ValidationError):
            steps.award_decide(nomination=a, actor=panel, level=level)


def test_eight_committee_members_at_once_award_exactly_the_quota(award_round, panel, reviewed_nominations):
    nominations = reviewed_nominations(8)
    results = race([(lambda n=n: steps.award_decide(nomination=n, actor=panel, level=1)) for n in nominations])
    awarded = [r for r in results if isinstance(r, FundingDecision)]
    refused = [r for r in results if isinstance(r, StateConflict)]
    assert len(awarded) == 3, results
    assert len(refused) == 5, results
    assert FundingDecision.objects.filter(application__call=award_round, level=1).count() == 3
    assert round_report(award_round).levels[0].count == 3


def test_round_with_counts_that_do_not_add_up_cannot_be_published(award_round, staff, panel, reviewed_nominations):
    a, b, c = reviewed_nominations(3)
    with pytest.raises(StateConflict, match="wait"):  # nobody decided yet
        steps.notice_publish(call=award_round, actor=staff)
    for n in (a, b, c):
        steps.award_decide(nomination=n, actor=panel, level=1)
    # The quota was cut after the decisions (the county's 36 listed against 32 by level).
    AwardLevel.objects.filter(round=award_round, level=1).update(quota=2)
    with pytest.raises(StateConflict, match="quota"):
        steps.notice_publish(call=award_round, actor=staff)
    AwardLevel.objects.filter(round=award_round, level=1).update(quota=3)
    # An award whose level was lost: listed as awarded but not counted in any level.
    decision = FundingDecision.objects.get(application=c)
    FundingDecision.objects.filter(pk=decision.pk).update(level=None)
    with pytest.raises(StateConflict, match="no level"):
        steps.notice_publish(call=award_round, actor=staff)
    # An item listed as awarded with no decision behind it: 3 awarded, levels add up to 2.
    FundingDecision.objects.filter(pk=decision.pk).delete()
    with pytest.raises(StateConflict, match="add up"):
        steps.notice_publish(call=award_round, actor=staff)
    decision.level = 1
    decision.save()
    notice = steps.notice_publish(call=award_round, actor=staff)
    assert notice.applications.count() == 3


def test_upheld_objection_withdraws_the_award_and_frees_its_place(
    award_round, staff, panel, reviewed_nominations, nominator
):
    from funding.services import objection_file

    a, b = reviewed_nominations(2)
    steps.award_decide(nomination=a, actor=panel, level=1)
    steps.award_decide(nomination=b, actor=panel, level=2)
    notice = steps.notice_publish(call=award_round, actor=staff)
    objection = objection_file(notice=notice, application_id=a.pk, text="成果署名有争议", name="张三", contact="138")
    with pytest.raises(StateConflict):
        close_notice(notice, staff)
    steps.objection_resolve(objection=objection, actor=staff, upheld=True, resolution="署名争议属实")
    close_notice(notice, staff)
    a.refresh_from_db()
    assert a.status == S.TERMINATED
    assert list(
        Disbursement.objects.filter(application__call=award_round).values_list("application_id", flat=True)
    ) == [b.pk]
    report = round_report(award_round)
    assert report.total_yuan == report.requested_yuan == Decimal("20000.00")
    assert report.levels[0].count == 0


def test_only_the_committee_decides_awards(award_round, staff, reviewed_nominations):
    (a,) = reviewed_nominations(1)
    with pytest.raises(PermissionDenied):
        steps.award_decide(nomination=a, actor=staff, level=1)


def test_bonus_disbursement_is_listed_as_a_nomination(award_round, staff, panel, reviewed_nominations):
    (a,) = reviewed_nominations(1)
    steps.award_decide(nomination=a, actor=panel, level=2)
    close_notice(steps.notice_publish(call=award_round, actor=staff), staff)
    bonus = Disbursement.objects.get(application=a)
    assert bonus.status == D.REQUESTED
    assert bonus.tranche == 1
    assert bonus.application.kind == "nomination"

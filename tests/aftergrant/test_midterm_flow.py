"""The mid-term check through the step entry points, as the personas act (issue 16.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from aftergrant.enums import MidtermStatus as M
from aftergrant.models import MidtermReport
from applications.enums import ApplicationStatus as S
from audit.models import AuditEntry
from core.errors import NotVisible, StateConflict
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from notifications.models import Notification
from pages.selectors import open_step_names
from tests.conftest import acceptance_file, acceptance_passed
from workflow import steps

from .conftest import APPROVED, pay, report_data, signed_project

pytestmark = pytest.mark.django_db(transaction=True)


def first_tranche_paid(midterm_project, officer, head):
    first = Disbursement.objects.get(application=midterm_project, tranche=1)
    assert first.amount_yuan == Decimal("100000.00")  # 40 % of 250,000.01
    pay(first, officer, head, "PZ-2016-101")
    return first


def test_three_tranches_pay_exactly_the_amount_granted(
    midterm_project, applicant, staff, finance_officer, finance_head
):
    first_tranche_paid(midterm_project, finance_officer, finance_head)
    assert open_step_names(midterm_project) == {"midterm_report"}
    report = MidtermReport.objects.get(application=midterm_project)
    assert (report.round, report.attempt, report.status) == (1, 1, M.OPEN)
    assert Notification.objects.filter(recipient=applicant, kind="midterm_due").exists()

    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    assert open_step_names(midterm_project) == {"midterm_check"}
    report.refresh_from_db()
    assert report.status == M.SUBMITTED and report.progress.count() == 2 and report.spending.count() == 2
    assert Notification.objects.filter(recipient=staff, kind="midterm_submitted").exists()

    steps.midterm_decide(application=midterm_project, actor=staff, result="pass", comment="进展正常")
    report.refresh_from_db()
    assert (report.status, report.tranche) == (M.PASSED, 2)
    second = Disbursement.objects.get(application=midterm_project, tranche=2)
    assert second.amount_yuan == Decimal("75000.00")
    assert open_step_names(midterm_project) == {"acceptance"}
    pay(second, finance_officer, finance_head, "PZ-2016-102")
    assert open_step_names(midterm_project) == {"acceptance"}

    acceptance_passed(midterm_project, applicant, staff)
    final = Disbursement.objects.get(application=midterm_project, tranche=3)
    assert final.amount_yuan == Decimal("75000.01")
    pay(final, finance_officer, finance_head, "PZ-2017-103")

    midterm_project.refresh_from_db()
    assert midterm_project.status == S.CLOSED
    assert steps.process_of(midterm_project).status == PROCESS.DONE
    paid = Disbursement.objects.filter(application=midterm_project, status=D.PAID).aggregate(s=Sum("amount_yuan"))["s"]
    assert paid == APPROVED
    actions = list(AuditEntry.objects.filter(action__startswith="midterm.").values_list("action", flat=True))
    assert actions == ["midterm.schedule", "midterm.submit", "midterm.pass"]


def test_conditional_opens_a_re_report_then_pass(midterm_project, applicant, staff, finance_officer, finance_head):
    first_tranche_paid(midterm_project, finance_officer, finance_head)
    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project, achieved="0"))
    fix_by = timezone.localdate() + dt.timedelta(days=30)
    steps.midterm_decide(
        application=midterm_project, actor=staff, result="conditional", comment="补充检测报告", fix_by=fix_by
    )
    reports = list(MidtermReport.objects.filter(application=midterm_project).order_by("attempt"))
    assert [(r.round, r.attempt, r.status) for r in reports] == [(1, 1, M.CONDITIONAL), (1, 2, M.OPEN)]
    assert reports[0].fix_by == fix_by and reports[1].due_on == fix_by
    assert not Disbursement.objects.filter(application=midterm_project, tranche=2).exists()
    assert open_step_names(midterm_project) == {"midterm_report"}
    assert Notification.objects.filter(recipient=applicant, kind="midterm_decided").exists()

    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project, achieved="1.5"))
    steps.midterm_decide(application=midterm_project, actor=staff, result="pass", comment="")
    assert MidtermReport.objects.get(application=midterm_project, attempt=2).status == M.PASSED
    assert Disbursement.objects.get(application=midterm_project, tranche=2).status == D.REQUESTED
    assert open_step_names(midterm_project) == {"acceptance"}


def test_fail_stops_the_tranches_until_staff_terminate(
    midterm_project, applicant, staff, finance_officer, finance_head
):
    first_tranche_paid(midterm_project, finance_officer, finance_head)
    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    steps.midterm_decide(application=midterm_project, actor=staff, result="fail", comment="主要指标无进展")
    assert MidtermReport.objects.get(application=midterm_project).status == M.FAILED
    assert list(Disbursement.objects.filter(application=midterm_project).values_list("tranche", flat=True)) == [1]
    assert open_step_names(midterm_project) == {"midterm_failed"}
    midterm_project.refresh_from_db()
    assert midterm_project.status == S.CONTRACTED
    with pytest.raises(StateConflict):
        steps.acceptance_submit(application=midterm_project, actor=applicant, **acceptance_file(midterm_project))
    with pytest.raises(StateConflict):
        steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    assert Notification.objects.filter(recipient=staff, kind="midterm_decided").exists()
    steps.terminate(application=midterm_project, actor=staff, reason="中期检查不合格")
    midterm_project.refresh_from_db()
    assert midterm_project.status == S.TERMINATED
    assert steps.process_of(midterm_project).status == PROCESS.CANCELED


def test_two_checks_release_two_middle_tranches(
    midterm_call, applicant, staff, expert, panel, finance_officer, finance_head
):
    midterm_call.tranches = [40, 20, 20, 20]
    midterm_call.save(update_fields=["tranches"])
    midterm_project = signed_project(midterm_call, applicant, staff, expert, panel, approved=Decimal("100000.00"))
    pay(Disbursement.objects.get(application=midterm_project, tranche=1), finance_officer, finance_head, "PZ-1")
    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    steps.midterm_decide(application=midterm_project, actor=staff, result="pass")
    second = MidtermReport.objects.get(application=midterm_project, round=2)
    first_due = MidtermReport.objects.get(application=midterm_project, round=1).due_on
    assert second.status == M.SCHEDULED and (second.due_on - first_due).days in range(181, 185)
    assert open_step_names(midterm_project) == {"midterm_report"}
    with pytest.raises(StateConflict, match=f"{second.due_on:%Y-%m-%d}"):
        steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    MidtermReport.objects.filter(pk=second.pk).update(opens_on=timezone.localdate())
    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    steps.midterm_decide(application=midterm_project, actor=staff, result="pass")
    assert sorted(Disbursement.objects.filter(application=midterm_project).values_list("tranche", "amount_yuan")) == [
        (1, Decimal("40000.00")),
        (2, Decimal("20000.00")),
        (3, Decimal("20000.00")),
    ]
    assert open_step_names(midterm_project) == {"acceptance"}


def two_checks_on_three_tranches(midterm_call, applicant, staff, expert, panel, officer, head):
    """``[40, 30, 30]`` with ``midterm_checks=2``; the first tranche paid, check 1 passed (it
    requests tranche 2), check 2 open (its day moved to today)."""
    midterm_call.midterm_checks = 2
    midterm_call.save(update_fields=["midterm_checks"])
    project = signed_project(midterm_call, applicant, staff, expert, panel)
    first_tranche_paid(project, officer, head)
    steps.midterm_submit(application=project, actor=applicant, **report_data(project))
    steps.midterm_decide(application=project, actor=staff, result="pass")
    first = MidtermReport.objects.get(application=project, round=1)
    assert (first.status, first.tranche) == (M.PASSED, 2)
    second = Disbursement.objects.get(application=project, tranche=2)
    assert (second.amount_yuan, second.status) == (Decimal("75000.00"), D.REQUESTED)
    check_2 = MidtermReport.objects.get(application=project, round=2)
    assert check_2.status == M.SCHEDULED and (check_2.due_on - first.due_on).days in range(181, 185)
    assert open_step_names(project) == {"midterm_report"}
    MidtermReport.objects.filter(pk=check_2.pk).update(opens_on=timezone.localdate())
    pay(second, officer, head, "PZ-2")
    return project


def test_a_check_after_the_middle_tranches_passes_without_a_tranche(
    midterm_call, applicant, staff, expert, panel, finance_officer, finance_head
):
    project = two_checks_on_three_tranches(midterm_call, applicant, staff, expert, panel, finance_officer, finance_head)
    steps.midterm_submit(application=project, actor=applicant, **report_data(project, achieved="2"))
    steps.midterm_decide(application=project, actor=staff, result="pass", comment="进展正常")
    check_2 = MidtermReport.objects.get(application=project, round=2)
    assert (check_2.status, check_2.tranche) == (M.PASSED, None)
    # Tranche 3 is the last: it waits for acceptance, which comes next; there is no check 3.
    assert list(Disbursement.objects.filter(application=project).order_by("tranche").values_list("tranche")) == [
        (1,),
        (2,),
    ]
    assert MidtermReport.objects.filter(application=project).count() == 2
    assert open_step_names(project) == {"acceptance"}
    acceptance_passed(project, applicant, staff)
    final = Disbursement.objects.get(application=project, tranche=3)
    assert final.amount_yuan == Decimal("75000.01")
    pay(final, finance_officer, finance_head, "PZ-3")
    paid = Disbursement.objects.filter(application=project, status=D.PAID).aggregate(s=Sum("amount_yuan"))["s"]
    assert paid == APPROVED


def test_a_failed_later_check_stops_the_last_tranche(
    midterm_call, applicant, staff, expert, panel, finance_officer, finance_head
):
    project = two_checks_on_three_tranches(midterm_call, applicant, staff, expert, panel, finance_officer, finance_head)
    steps.midterm_submit(application=project, actor=applicant, **report_data(project))
    steps.midterm_decide(application=project, actor=staff, result="fail", comment="主要指标无进展")
    assert MidtermReport.objects.get(application=project, round=2).status == M.FAILED
    assert open_step_names(project) == {"midterm_failed"}
    with pytest.raises(StateConflict):
        steps.acceptance_submit(application=project, actor=applicant, **acceptance_file(project))
    assert not Disbursement.objects.filter(application=project, tranche=3).exists()


def test_report_before_it_opens_is_409_with_the_dates(
    midterm_call, applicant, staff, expert, panel, finance_officer, finance_head
):
    midterm_project = signed_project(midterm_call, applicant, staff, expert, panel, in_force_days_ago=0)
    with pytest.raises(StateConflict):  # first tranche not paid: no mid-term step yet
        steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    pay(Disbursement.objects.get(application=midterm_project, tranche=1), finance_officer, finance_head, "PZ-1")
    report = MidtermReport.objects.get(application=midterm_project)
    assert report.status == M.SCHEDULED
    with pytest.raises(StateConflict, match=f"{report.due_on:%Y-%m-%d}"):
        steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    with pytest.raises(StateConflict):  # nothing to check yet
        steps.midterm_decide(application=midterm_project, actor=staff, result="pass")


def test_bad_reports_and_decisions_name_the_field(midterm_project, applicant, staff, finance_officer, finance_head):
    first_tranche_paid(midterm_project, finance_officer, finance_head)
    data = report_data(midterm_project)
    with pytest.raises(ValidationError) as exc:
        steps.midterm_submit(
            application=midterm_project,
            actor=applicant,
            progress=data["progress"][:1],
            spent=[{"line": "labour", "county_yuan": "1"}],
            problems=" ",
        )
    assert set(exc.value.message_dict) == {"progress", "spent", "problems"}
    with pytest.raises(ValidationError) as exc:
        steps.midterm_submit(
            application=midterm_project,
            actor=applicant,
            progress=[{**data["progress"][0], "achieved": "-1"}, data["progress"][1]],
            spent=[{"line": "equipment", "county_yuan": "1.001"}],
            problems="x",
        )
    assert set(exc.value.message_dict) == {"progress", "spent"}
    steps.midterm_submit(application=midterm_project, actor=applicant, **data)
    with pytest.raises(StateConflict):  # already submitted
        steps.midterm_submit(application=midterm_project, actor=applicant, **data)
    for kwargs, field in (
        ({"result": "maybe"}, "result"),
        ({"result": "conditional", "comment": "补充"}, "fix_by"),
        ({"result": "conditional", "comment": "补充", "fix_by": timezone.localdate()}, "fix_by"),
        ({"result": "fail", "comment": ""}, "comment"),
    ):
        with pytest.raises(ValidationError) as exc:
            steps.midterm_decide(application=midterm_project, actor=staff, **kwargs)
        assert field in exc.value.message_dict


def test_only_the_applicant_reports_and_only_staff_decide(
    midterm_project, applicant, other_applicant, staff, panel, finance_officer, finance_head
):
    first_tranche_paid(midterm_project, finance_officer, finance_head)
    with pytest.raises(NotVisible):
        steps.midterm_submit(application=midterm_project, actor=other_applicant, **report_data(midterm_project))
    with pytest.raises(NotVisible):  # staff see it, but do not report for the applicant
        steps.midterm_submit(application=midterm_project, actor=staff, **report_data(midterm_project))
    steps.midterm_submit(application=midterm_project, actor=applicant, **report_data(midterm_project))
    with pytest.raises(PermissionDenied):
        steps.midterm_decide(application=midterm_project, actor=panel, result="pass")
    with pytest.raises(NotVisible):
        steps.midterm_decide(application=midterm_project, actor=other_applicant, result="pass")
    with pytest.raises(PermissionDenied):
        steps.midterm_decide(application=midterm_project, actor=applicant, result="pass")


def test_a_call_without_midterm_goes_straight_to_acceptance(
    call, applicant, staff, expert, panel, finance_officer, finance_head
):
    midterm_project = signed_project(call, applicant, staff, expert, panel)
    pay(Disbursement.objects.get(application=midterm_project, tranche=1), finance_officer, finance_head, "PZ-1")
    assert open_step_names(midterm_project) == {"acceptance"}
    assert not MidtermReport.objects.exists()

"""Change requests (项目变更, issue 16.3): each kind's chain, its rules, the contract versions
an approval writes, and termination's refund — driven through the services and steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from accounts.enums import Role
from accounts.models import Organisation
from aftergrant import changes
from aftergrant.enums import ChangeStatus, ContractStatus
from aftergrant.models import ChangeRequest, ContractVersion
from applications.enums import ApplicationStatus as S
from audit.models import AuditEntry
from core.errors import NotVisible, StateConflict
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from notifications.models import Notification
from tests.conftest import _user
from workflow import steps


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are matched in English (the default language is zh-hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

ask = changes.change_request_create


def decide(change, actor, approve=True, comment="同意"):
    return steps.change_decide(change=change, actor=actor, approve=approve, comment=comment)


@pytest.fixture
def staff2(db):
    return _user("staff2", [Role.STAFF])


def in_force(app):
    return ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)


# --- extension ------------------------------------------------------------------------------------


def test_extension_is_approved_by_staff_alone_and_moves_the_end_date_and_the_version(project, applicant, staff):
    v1 = in_force(project)
    new_end = v1.ends_on + dt.timedelta(days=180)
    change = ask(application=project, actor=applicant, kind="extension", reason="设备到货延迟", new_end_date=new_end)
    assert change.status == ChangeStatus.SUBMITTED and change.chain == ["staff"]
    change = decide(change, staff)
    assert change.status == ChangeStatus.APPROVED
    v2 = in_force(project)
    assert v2.number == 2 and v2.ends_on == new_end and "设备到货延迟" in v2.reason
    assert change.result_version == v2
    v1.refresh_from_db()
    assert v1.status == ContractStatus.SUPERSEDED
    # The old version stays readable, with its own targets and budget.
    assert [t.name for t in v1.targets.all()] == [t.name for t in v2.targets.all()]
    assert sum(b.county_yuan for b in v1.budget.all()) == sum(b.county_yuan for b in v2.budget.all())
    assert v2.milestones.count() == v1.milestones.count() == 1
    project.refresh_from_db()
    assert project.end_date == new_end
    assert AuditEntry.objects.filter(action="contract.version", target_id=v2.pk).exists()
    assert Notification.objects.filter(recipient=applicant, kind="change_decided").exists()
    assert Notification.objects.filter(recipient=staff, kind="change_requested").exists()


def test_a_second_extension_is_refused(project, applicant, staff):
    end = in_force(project).ends_on
    change = ask(
        application=project, actor=applicant, kind="extension", reason="延期", new_end_date=end + dt.timedelta(days=30)
    )
    with pytest.raises(StateConflict):  # one open of the kind
        ask(
            application=project,
            actor=applicant,
            kind="extension",
            reason="再延",
            new_end_date=end + dt.timedelta(days=60),
        )
    decide(change, staff)
    with pytest.raises(StateConflict, match="once"):
        ask(
            application=project,
            actor=applicant,
            kind="extension",
            reason="再延",
            new_end_date=end + dt.timedelta(days=60),
        )


def test_an_extension_of_more_than_twelve_months_is_bad_input(project, applicant):
    end = in_force(project).ends_on
    with pytest.raises(ValidationError) as exc:
        ask(
            application=project,
            actor=applicant,
            kind="extension",
            reason="延期",
            new_end_date=changes.add_months(end, 12) + dt.timedelta(days=1),
        )
    assert "new_end_date" in exc.value.message_dict
    ask(application=project, actor=applicant, kind="extension", reason="延期", new_end_date=changes.add_months(end, 12))


def test_an_extension_asked_less_than_sixty_days_before_the_end_is_refused(project, applicant):
    ContractVersion.objects.filter(application=project).update(ends_on=timezone.localdate() + dt.timedelta(days=59))
    with pytest.raises(StateConflict, match="60"):
        ask(
            application=project,
            actor=applicant,
            kind="extension",
            reason="延期",
            new_end_date=timezone.localdate() + dt.timedelta(days=200),
        )


def test_a_rejected_extension_leaves_the_contract_alone_and_may_be_asked_again(project, applicant, staff):
    end = in_force(project).ends_on
    change = ask(
        application=project, actor=applicant, kind="extension", reason="延期", new_end_date=end + dt.timedelta(days=30)
    )
    with pytest.raises(ValidationError):  # a rejection says why
        decide(change, staff, approve=False, comment="")
    change = decide(change, staff, approve=False, comment="理由不充分")
    assert change.status == ChangeStatus.REJECTED and in_force(project).number == 1
    ask(
        application=project,
        actor=applicant,
        kind="extension",
        reason="补充理由",
        new_end_date=end + dt.timedelta(days=30),
    )


# --- budget -------------------------------------------------------------------------------------


def budget(equipment, materials, testing, *, own=("300000.00", "200000.00", "100000.00")):
    return [
        {"line": "equipment", "county_yuan": equipment, "own_yuan": own[0], "other_yuan": "0"},
        {"line": "materials", "county_yuan": materials, "own_yuan": own[1], "other_yuan": "50000.00"},
        {"line": "testing", "county_yuan": testing, "own_yuan": own[2], "other_yuan": "0"},
    ]


def test_a_budget_move_that_changes_a_total_is_bad_input(project, applicant):
    with pytest.raises(ValidationError) as exc:
        ask(
            application=project,
            actor=applicant,
            kind="budget",
            reason="调整",
            budget=budget("150000.00", "60000.00", "40000.01"),
        )
    assert "budget" in exc.value.message_dict
    with pytest.raises(ValidationError):  # the own funds' total moves
        ask(
            application=project,
            actor=applicant,
            kind="budget",
            reason="调整",
            budget=budget("150000.00", "60000.00", "40000.00", own=("300000.00", "200000.00", "100000.01")),
        )
    with pytest.raises(ValidationError):  # nothing moves
        ask(
            application=project,
            actor=applicant,
            kind="budget",
            reason="调整",
            budget=budget("150000.00", "60000.00", "40000.00"),
        )


def test_a_small_budget_move_is_approved_by_staff_alone(project, applicant, staff, settings):
    settings.PINGSHEN_BUDGET_MOVE_HEAD_SHARE = "0.10"
    # 4,000 out of testing (10 % of 40,000 exactly) into materials (6.7 % of 60,000): not above the share.
    change = ask(
        application=project,
        actor=applicant,
        kind="budget",
        reason="测试费结余",
        budget=budget("150000.00", "64000.00", "36000.00"),
    )
    assert change.chain == ["staff"]
    decide(change, staff)
    lines = {b.line: b.county_yuan for b in in_force(project).budget.all()}
    assert lines == {
        "equipment": Decimal("150000.00"),
        "materials": Decimal("64000.00"),
        "testing": Decimal("36000.00"),
    }


def test_a_large_budget_move_also_needs_the_finance_head(project, applicant, staff, finance_head, panel, settings):
    settings.PINGSHEN_BUDGET_MOVE_HEAD_SHARE = "0.10"
    # 4,001 out of testing: more than 10 % of that line.
    change = ask(
        application=project,
        actor=applicant,
        kind="budget",
        reason="调整",
        budget=budget("150000.00", "64001.00", "35999.00"),
    )
    assert change.chain == ["staff", "finance_head"]
    change = decide(change, staff)
    assert change.status == ChangeStatus.STAFF_APPROVED and in_force(project).number == 1
    with pytest.raises(PermissionDenied):
        decide(change, panel)
    assert Notification.objects.filter(recipient=finance_head, kind="change_requested").exists()
    change = decide(change, finance_head)
    assert change.status == ChangeStatus.APPROVED and in_force(project).number == 2


def test_the_head_share_is_a_setting(project, applicant, settings):
    settings.PINGSHEN_BUDGET_MOVE_HEAD_SHARE = "0.50"
    change = ask(
        application=project,
        actor=applicant,
        kind="budget",
        reason="调整",
        budget=budget("150000.00", "70000.00", "30000.00"),
    )
    assert change.chain == ["staff"]


# --- targets, leader, unit --------------------------------------------------------------------


def test_targets_change_puts_the_full_new_list_in_force(project, applicant, staff):
    targets = [{"name": "新产品样机", "unit": "台", "value": "3"}, {"name": "实用新型专利", "unit": "件", "value": "2"}]
    with pytest.raises(ValidationError):
        ask(application=project, actor=applicant, kind="targets", reason="调整", targets=[])
    change = ask(application=project, actor=applicant, kind="targets", reason="技术路线调整", targets=targets)
    decide(change, staff)
    v2 = in_force(project)
    assert [(t.position, t.name, t.value) for t in v2.targets.all()] == [
        (1, "新产品样机", Decimal("3.00")),
        (2, "实用新型专利", Decimal("2.00")),
    ]
    assert ContractVersion.objects.get(application=project, number=1).targets.count() == 2


def test_leader_change_needs_the_panel_after_staff_and_records_the_leader(project, applicant, staff, panel):
    with pytest.raises(ValidationError) as exc:
        ask(application=project, actor=applicant, kind="leader", reason="调离", new_leader={"name": "", "phone": ""})
    assert "new_leader.name" in exc.value.message_dict
    leader = {"name": "李明", "title": "高级工程师", "phone": "13800000000"}
    change = ask(application=project, actor=applicant, kind="leader", reason="原负责人调离", new_leader=leader)
    assert change.chain == ["staff", "panel"]
    change = decide(change, staff)
    assert change.status == ChangeStatus.STAFF_APPROVED and changes.project_leader(project) is None
    decide(change, panel)
    assert changes.project_leader(project) == leader
    assert "李明" in in_force(project).reason


def test_unit_change_moves_the_project_to_a_registered_organisation(project, applicant, staff, panel, org_other):
    unregistered = Organisation.objects.create(name="某合作社")
    with pytest.raises(ValidationError):
        ask(application=project, actor=applicant, kind="unit", reason="改制", new_organisation=unregistered.pk)
    change = ask(application=project, actor=applicant, kind="unit", reason="企业改制", new_organisation=org_other.pk)
    decide(decide(change, staff), panel)
    project.refresh_from_db()
    assert project.organisation == org_other and project.applicant == applicant


def test_a_person_never_decides_twice_in_one_chain(project, applicant, staff):
    both = _user("both", [Role.STAFF, Role.PANEL])
    change = ask(
        application=project, actor=applicant, kind="leader", reason="调离", new_leader={"name": "李明", "phone": "138"}
    )
    change = decide(change, both)
    with pytest.raises(PermissionDenied, match="earlier step"):
        decide(change, both)


def test_the_wrong_role_is_403_and_a_decided_request_409(project, applicant, staff, panel, finance_head):
    end = in_force(project).ends_on
    change = ask(
        application=project, actor=applicant, kind="extension", reason="延期", new_end_date=end + dt.timedelta(days=30)
    )
    for person in (panel, finance_head):
        with pytest.raises(PermissionDenied):
            decide(change, person)
    decide(change, staff)
    with pytest.raises(StateConflict):
        decide(change, staff)


def test_only_the_applicant_asks_and_strangers_see_nothing(project, applicant, other_applicant, staff):
    end = in_force(project).ends_on
    with pytest.raises(NotVisible):
        ask(
            application=project,
            actor=other_applicant,
            kind="extension",
            reason="x",
            new_end_date=end + dt.timedelta(days=30),
        )
    with pytest.raises(PermissionDenied):
        ask(application=project, actor=staff, kind="extension", reason="x", new_end_date=end + dt.timedelta(days=30))
    change = ask(
        application=project, actor=applicant, kind="extension", reason="x", new_end_date=end + dt.timedelta(days=30)
    )
    with pytest.raises(NotVisible):
        changes.change_for(other_applicant, change.pk)


def test_a_project_without_a_contract_in_force_cannot_ask(project, applicant):
    ContractVersion.objects.filter(application=project).update(status=ContractStatus.SUPERSEDED)
    with pytest.raises(StateConflict):
        ask(
            application=project,
            actor=applicant,
            kind="targets",
            reason="x",
            targets=[{"name": "a", "unit": "b", "value": "1"}],
        )


# --- termination --------------------------------------------------------------------------------


def test_termination_cancels_unpaid_tranches_ends_the_process_and_records_the_refund(
    project, applicant, staff, panel, finance_officer, finance_head
):
    first = Disbursement.objects.get(application=project, tranche=1)
    steps.disbursement_approve(disbursement=first, actor=finance_officer)
    steps.disbursement_approve(disbursement=first, actor=finance_head)
    steps.disbursement_pay(disbursement=first, actor=finance_officer, voucher="PZ-1")
    assert first.amount_yuan == Decimal("150000.00")
    # A second payment waiting (as a mid-term check would request it).
    waiting = Disbursement.objects.create(
        application=project, tranche=2, amount_yuan=Decimal("100000.00"), requested_by=staff
    )
    change = ask(application=project, actor=applicant, kind="termination", reason="市场变化", spent_yuan="120000.50")
    assert change.amount_to_refund == Decimal("29999.50") and change.paid_yuan == Decimal("150000.00")
    assert change.chain == ["staff", "panel"]
    change = decide(decide(change, staff), panel)
    assert change.status == ChangeStatus.APPROVED and change.amount_to_refund == Decimal("29999.50")
    project.refresh_from_db()
    assert project.status == S.TERMINATED
    waiting.refresh_from_db()
    assert waiting.status == D.REJECTED and waiting.rejected_reason
    assert AuditEntry.objects.filter(action="disbursement.rejected", target_id=waiting.pk).exists()
    process = steps.process_of(project)
    assert process.status == PROCESS.CANCELED
    assert Notification.objects.filter(recipient=finance_head, kind="change_decided").exists()
    assert in_force(project).number == 1  # termination writes no new version


def test_the_refund_is_never_negative(project, applicant):
    change = ask(application=project, actor=applicant, kind="termination", reason="终止", spent_yuan="500000.00")
    assert change.paid_yuan == Decimal("0.00") and change.amount_to_refund == Decimal("0.00")


def test_a_rejected_termination_changes_nothing(project, applicant, staff, panel):
    change = ask(application=project, actor=applicant, kind="termination", reason="终止", spent_yuan="0")
    decide(decide(change, staff), panel, approve=False, comment="继续实施")
    project.refresh_from_db()
    assert project.status == S.CONTRACTED
    assert Disbursement.objects.get(application=project, tranche=1).status == D.REQUESTED


def test_one_open_request_per_kind_is_also_a_database_rule(project, applicant):
    version = in_force(project)
    ChangeRequest.objects.create(
        application=project, kind="targets", reason="a", base_version=version, requested_by=applicant
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.create(
            application=project, kind="targets", reason="b", base_version=version, requested_by=applicant
        )


def test_the_contract_factory_keeps_the_end_date_on_the_version(project):
    assert project.end_date == in_force(project).ends_on


def test_an_approved_extension_moves_the_acceptance_clock(project, applicant, staff, settings):
    """The acceptance reminders read the application's end date, which the extension moved."""
    from workflow.tasks import remind_acceptance_due

    settings.PINGSHEN_ACCEPTANCE_REMINDER_DAYS = 400
    assert remind_acceptance_due() == 1  # the project ends within 400 days
    end = in_force(project).ends_on
    decide(
        ask(
            application=project,
            actor=applicant,
            kind="extension",
            reason="延期",
            new_end_date=end + dt.timedelta(days=60),
        ),
        staff,
    )
    settings.PINGSHEN_ACCEPTANCE_REMINDER_DAYS = (end - timezone.localdate()).days + 30
    assert remind_acceptance_due() == 0  # it now ends 60 days later, beyond the reminder's reach

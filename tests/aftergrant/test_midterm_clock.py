"""The beat clock of the mid-term check: it opens reports on their day, reminds before they are
due and escalates overdue ones, each once (the task functions are called directly)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftergrant.enums import MidtermStatus as M
from aftergrant.models import MidtermReport
from aftergrant.tasks import escalate_overdue_midterm, open_midterm_reports, remind_midterm_due
from funding.models import Disbursement
from notifications.models import Notification
from workflow import steps

from .conftest import pay, report_data, signed_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scheduled(midterm_call, applicant, staff, expert, panel, finance_officer, finance_head):
    midterm_project = signed_project(midterm_call, applicant, staff, expert, panel, in_force_days_ago=0)
    pay(Disbursement.objects.get(application=midterm_project, tranche=1), finance_officer, finance_head, "PZ-1")
    report = MidtermReport.objects.get(application=midterm_project)
    assert report.status == M.SCHEDULED
    return report


def test_clock_opens_a_report_on_its_day_once(scheduled, applicant):
    assert open_midterm_reports() == 0
    MidtermReport.objects.filter(pk=scheduled.pk).update(opens_on=timezone.localdate())
    assert open_midterm_reports() == 1
    assert open_midterm_reports() == 0
    scheduled.refresh_from_db()
    assert scheduled.status == M.OPEN
    assert Notification.objects.filter(recipient=applicant, kind="midterm_due").count() == 1
    steps.midterm_submit(application=scheduled.application, actor=applicant, **report_data(scheduled.application))


def test_clock_reminds_before_the_due_day_once(scheduled, applicant):
    today = timezone.localdate()
    MidtermReport.objects.filter(pk=scheduled.pk).update(
        status=M.OPEN, opens_on=today, due_on=today + dt.timedelta(days=3)
    )
    assert remind_midterm_due() == 1
    assert remind_midterm_due() == 0
    assert Notification.objects.filter(recipient=applicant, kind="midterm_due").count() == 1


def test_clock_escalates_overdue_reports_to_staff_once(scheduled, applicant, staff):
    MidtermReport.objects.filter(pk=scheduled.pk).update(
        status=M.OPEN, due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert escalate_overdue_midterm() == 2
    assert escalate_overdue_midterm() == 0
    assert Notification.objects.filter(recipient=staff, kind="midterm_overdue").count() == 1
    assert Notification.objects.filter(recipient=applicant, kind="midterm_overdue").count() == 1
    # Once reported, nothing is overdue.
    steps.midterm_submit(application=scheduled.application, actor=applicant, **report_data(scheduled.application))
    MidtermReport.objects.filter(pk=scheduled.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    assert escalate_overdue_midterm() == 0

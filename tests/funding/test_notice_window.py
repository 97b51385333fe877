"""Issue 14.5: the public notice's window holds. Nobody closes it before ``ends_at`` (staff
through the API or the page, or the clock), and the funding notice PDF waits for the close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import StateConflict
from funding.models import Notice
from workflow import steps
from workflow.tasks import close_due_notices

from ..conftest import notice_window_passed
from ..workflow.test_plan_project_services import SCORES, to_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(call, applicant, staff, expert, panel):
    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="200000.00")
    return steps.notice_publish(call=call, actor=staff)


def test_staff_cannot_close_a_notice_before_its_end(published, staff, api_client):
    response = api_client(staff).post(f"/api/notices/{published.pk}/close/")
    assert response.status_code == 409
    assert "cannot be closed before" in response.json()["detail"] or "期满前不能结束公示" in response.json()["detail"]
    with pytest.raises(StateConflict):
        steps.notice_close(notice=published, actor=staff)
    assert Notice.objects.get(pk=published.pk).closed_at is None


def test_the_notice_page_refuses_an_early_close_with_a_message(published, staff):
    page = Client()
    page.force_login(staff)
    response = page.post(f"/notices/{published.pk}/close/", follow=True)
    assert response.status_code == 200
    assert "cannot be closed before" in response.content.decode() or "公示期" in response.content.decode()
    assert Notice.objects.get(pk=published.pk).closed_at is None


def test_the_clock_closes_only_at_the_end(published):
    assert close_due_notices() == 0
    Notice.objects.filter(pk=published.pk).update(ends_at=timezone.now() + dt.timedelta(seconds=30))
    assert close_due_notices() == 0
    with pytest.raises(StateConflict):
        steps.notice_close(notice=published, actor=None)
    notice_window_passed(published)
    assert close_due_notices() == 1
    assert Notice.objects.get(pk=published.pk).closed_at is not None


def test_after_the_end_staff_close_it_and_the_projects_move_on(published, staff, api_client):
    notice_window_passed(published)
    assert api_client(staff).post(f"/api/notices/{published.pk}/close/").status_code == 200
    assert published.applications.get().status == "funded"


def test_funding_notice_pdf_waits_for_the_close(published, applicant, staff, api_client):
    app = published.applications.get()
    api = api_client(applicant)
    url = f"/api/applications/{app.pk}/funding-notice.pdf"
    refused = api.get(url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 409
    assert refused.json()["detail"]
    page = Client()
    page.force_login(applicant)
    page_url = f"/applications/{app.pk}/funding-notice.pdf"
    assert page_url not in page.get(f"/applications/{app.pk}/").content.decode()
    assert page.get(page_url).status_code == 404

    steps.notice_close(notice=notice_window_passed(published), actor=staff)
    assert api.get(url, HTTP_ACCEPT="application/pdf").status_code == 200
    assert page_url in page.get(f"/applications/{app.pk}/").content.decode()
    assert page.get(page_url).status_code == 200


def test_a_large_notice_closes_from_the_page_as_a_job(
    published, staff, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    """Above ``NOTICE_CLOSE_INLINE_MAX`` items the page closes the notice as a background job:
    a refusal answers at once with no job; after the window the job's page shows the items
    moved on, and the applicant is asked for the task contract."""
    from core.models import Job, JobStatus
    from notifications.models import Notification

    monkeypatch.setattr("pages.views.NOTICE_CLOSE_INLINE_MAX", 0)  # this notice of one item is "large"
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff)
    early = page.post(f"/notices/{published.pk}/close/", follow=True)
    assert "cannot be closed before" in early.content.decode()
    assert not Job.objects.exists()

    notice_window_passed(published)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs (eagerly) after commit
        response = page.post(f"/notices/{published.pk}/close/")
    job = Job.objects.get(kind="notices.close")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.total, job.result["moved"]) == (JobStatus.DONE, 1, 1)
    assert Notice.objects.get(pk=published.pk).closed_at is not None
    assert Notification.objects.filter(recipient=applicant, kind="contract_due").count() == 1
    body = page.get(response["Location"]).content.decode()
    assert "The notice is closed; 1 item on it moved on." in body and "<progress" not in body
    assert f'href="/calls/{published.call_id}/"' in body

    again = page.post(f"/notices/{published.pk}/close/", follow=True)  # a second close is refused at once
    assert "already closed" in again.content.decode() and Job.objects.count() == 1

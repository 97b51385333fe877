"""The inbox, the staff delivery page, the draw page and the downloads, as people use them."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.models import Job
from notifications.enums import DeliveryState
from notifications.models import Notification
from reviews.models import Draw

from ..conftest import make_expert
from ..workflow.test_plan_project_services import draft

pytestmark = pytest.mark.django_db(transaction=True)


def submitted(call, applicant, staff):
    from workflow import steps

    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    return app


def test_inbox_lists_my_notifications_and_marks_them_read(client, call, applicant, staff):
    submitted(call, applicant, staff)
    client.force_login(applicant)
    page = client.get("/inbox/")
    assert page.status_code == 200
    mine = Notification.objects.filter(recipient=applicant)
    assert mine.count() == 2  # received, then passed formal review
    for n in mine:
        assert n.subject in page.content.decode()
    first = mine.first()
    response = client.post(f"/inbox/{first.pk}/read/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read


def test_nobody_reads_someone_elses_notification(client, call, applicant, other_applicant, staff):
    submitted(call, applicant, staff)
    n = Notification.objects.filter(recipient=applicant).first()
    client.force_login(other_applicant)
    assert client.post(f"/inbox/{n.pk}/read/").status_code == 404
    n.refresh_from_db()
    assert not n.read


def test_staff_see_failed_deliveries_and_send_them_again(client, applicant, staff):
    n = Notification.objects.create(
        recipient=applicant,
        kind="x",
        subject="送达失败的通知",
        body="b",
        state=DeliveryState.FAILED,
        last_error="550 no such user",
    )
    client.force_login(applicant)
    assert client.get("/outbox/").status_code == 404
    client.force_login(staff)
    page = client.get("/outbox/?state=failed").content.decode()
    assert "送达失败的通知" in page and "550 no such user" in page
    client.post(f"/outbox/{n.pk}/resend/")
    n.refresh_from_db()
    assert n.state in (DeliveryState.PENDING, DeliveryState.SENT)


def test_staff_draw_from_the_call_page_and_see_the_audit(client, call, applicant, staff, org_expert):
    for i in range(3):
        make_expert(f"pool{i}", org_expert)
    app = submitted(call, applicant, staff)
    client.force_login(staff)
    response = client.post(f"/calls/{call.pk}/draw/", {"seed": "seed-42"})
    # The draw runs as a background job (in process here: no broker): its page shows the draw.
    job = Job.objects.get(kind="calls.draw")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    draw = Draw.objects.get()
    job_page = client.get(response["Location"]).content.decode()
    assert f'href="/draws/{draw.pk}/"' in job_page and f'href="/calls/{call.pk}/#draw"' in job_page
    assert "seed-42" in job_page and "<progress" not in job_page
    page = client.get(f"/draws/{draw.pk}/").content.decode()
    assert "seed-42" in page and app.title in page
    assert app.assignments.count() == call.reviewers_per_item


def test_call_report_downloads_for_staff_only(client, call, applicant, staff):
    client.force_login(applicant)
    assert client.get(f"/calls/{call.pk}/report.xlsx").status_code == 404
    client.force_login(staff)
    response = client.get(f"/calls/{call.pk}/report.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    assert sheet.max_row >= 9

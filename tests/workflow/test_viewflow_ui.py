"""Staff and the panel get viewflow's inbox, queue and flow chart; applicants do not."""

from __future__ import annotations

import pytest

from .test_plan_project_services import draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_sees_the_formal_review_task_in_the_queue(client, call, applicant, staff):
    from workflow import steps

    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    client.force_login(staff)
    response = client.get("/processes/planproject/queue/")
    assert response.status_code == 200
    assert "formal" in response.content.decode().lower()


def test_staff_sees_the_flow_chart(client, staff):
    client.force_login(staff)
    response = client.get("/processes/planproject/chart/")
    assert response.status_code == 200


def test_applicant_cannot_open_the_process_list(client, applicant):
    client.force_login(applicant)
    response = client.get("/processes/planproject/")
    assert response.status_code in (403, 404)


def test_staff_cannot_undo_or_cancel_behind_the_services_back(client, call, applicant, staff):
    """Viewflow's manage actions would move the graph without the application: nobody has them."""
    from workflow import steps

    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    process = steps.process_of(app)
    client.force_login(staff)
    response = client.post(f"/processes/planproject/{process.pk}/cancel/")
    assert response.status_code in (403, 404)
    process.refresh_from_db()
    assert process.status == "NEW"

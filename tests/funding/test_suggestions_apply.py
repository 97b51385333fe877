"""Applying the suggested list: one decision per item through the decision step, each under the
budget lock; refusals reported item by item; a list that changed meanwhile is not applied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from applications.enums import ApplicationStatus as S
from core.errors import StateConflict
from core.models import Job, JobStatus
from funding.models import FundingDecision
from funding.suggestions import suggest_funding
from workflow import steps
from workflow.suggestions import APPLY_JOB_KIND, suggestions_apply, suggestions_apply_start

from ..workflow.test_plan_project_services import to_review

pytestmark = pytest.mark.django_db(transaction=True)


def reviewed(call, applicant, staff, expert, title, score, requested):
    app, (assignment,) = to_review(call, applicant, staff, [expert], title=title, requested_yuan=requested)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    scores = dict.fromkeys(("innovation", "feasibility", "team", "benefit"), score)
    steps.review_submit(assignment=assignment, actor=expert.user, scores=scores, comment="好", recommendation="support")
    app.refresh_from_db()
    assert app.status == S.REVIEWED
    return app


@pytest.fixture
def three(call, applicant, staff, expert):
    """Budget 1,000,000: A 400,000 (90), B 400,000 (80), C 300,000 (70)."""
    return [
        reviewed(call, applicant, staff, expert, "A", 90, "400000.00"),
        reviewed(call, applicant, staff, expert, "B", 80, "400000.00"),
        reviewed(call, applicant, staff, expert, "C", 70, "300000.00"),
    ]


def test_panel_applies_the_list_and_every_listed_item_is_funded(call, three, panel):
    a, b, c = three
    suggestion = suggest_funding(call)
    assert [r.outcome for r in suggestion.rows] == ["fits", "fits", "over_budget"]
    result = suggestions_apply(call=call, actor=panel, expected=suggestion.fingerprint)
    assert [item for item, _t in result.decided] == [a.pk, b.pk]
    assert result.refused == []
    for app, status, amount in ((a, S.FUNDED, "400000.00"), (b, S.FUNDED, "400000.00"), (c, S.REVIEWED, None)):
        app.refresh_from_db()
        assert app.status == status
        assert app.approved_yuan == (Decimal(amount) if amount else None)
    # Decided through the step: the process moved on, so the decision task is done.
    with pytest.raises(StateConflict):
        steps.decide(application=a, actor=panel, fund=True, approved_yuan="1.00")


def test_decline_rest_records_not_funded_for_the_items_left_out(call, three, panel):
    a, b, c = three
    suggestion = suggest_funding(call)
    suggestions_apply(call=call, actor=panel, expected=suggestion.fingerprint, decline_rest=True)
    c.refresh_from_db()
    assert c.status == S.NOT_FUNDED
    assert FundingDecision.objects.get(application=c).fund is False


def test_a_what_if_budget_beyond_the_call_is_refused_item_by_item(call, three, panel):
    a, b, c = three
    what_if = {"budget": Decimal("1100000.00")}
    suggestion = suggest_funding(call, **what_if)
    assert [r.outcome for r in suggestion.rows] == ["fits", "fits", "fits"]
    result = suggestions_apply(call=call, actor=panel, expected=suggestion.fingerprint, what_if=what_if)
    assert [item for item, _t in result.decided] == [a.pk, b.pk]
    assert [(item, title) for item, title, _why in result.refused] == [(c.pk, "C")]
    assert "200000.00" in result.refused[0][2]  # what is left of the real budget
    c.refresh_from_db()
    assert c.status == S.REVIEWED  # nothing half-written for the refused item
    assert not FundingDecision.objects.filter(application=c).exists()


def test_a_list_that_changed_since_the_panel_looked_is_not_applied(call, three, panel):
    a, b, c = three
    seen = suggest_funding(call).fingerprint
    steps.decide(application=a, actor=panel, fund=True, approved_yuan="100000.00")  # someone else, meanwhile
    with pytest.raises(StateConflict):
        suggestions_apply(call=call, actor=panel, expected=seen)
    assert FundingDecision.objects.filter(application__in=[b, c]).count() == 0


def test_staff_may_look_at_the_list_but_not_apply_it(call, three, staff):
    suggestion = suggest_funding(call)
    with pytest.raises(PermissionDenied):
        suggestions_apply(call=call, actor=staff, expected=suggestion.fingerprint)
    assert FundingDecision.objects.count() == 0


def test_panel_applies_the_list_from_the_page(call, three, panel):
    from django.test import Client

    a, b, c = three
    client = Client()
    client.force_login(panel)
    page = client.get(f"/calls/{call.pk}/suggestions/", {"fill_gaps": "on"})
    expected = page.context["suggestion"].fingerprint
    response = client.post(
        f"/calls/{call.pk}/suggestions/apply/", {"expected": expected, "fill_gaps": "on", "comment": "按建议名单"}
    )
    # The decisions run as a background job (in process here: no broker); its page lists them.
    job = Job.objects.get(kind=APPLY_JOB_KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    decided = dict(
        FundingDecision.objects.filter(application__call=call).values_list("application_id", "approved_yuan")
    )
    assert decided == {a.pk: Decimal("400000.00"), b.pk: Decimal("400000.00")}
    assert FundingDecision.objects.get(application=a).comment == "按建议名单"
    job_page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 decided, 0 refused." in job_page and "<progress" not in job_page
    assert f'href="/applications/{a.pk}/"' in job_page and f'href="/applications/{b.pk}/"' in job_page
    status = client.get(f"/api/jobs/{job.pk}/").json()  # what the page's bar polls
    assert (status["kind"], status["status"], status["percent"]) == ("funding.apply", "done", 100)
    assert status["result"]["decided"] == [[a.pk, "A"], [b.pk, "B"]] and status["result"]["refused"] == []
    after = client.get(f"/calls/{call.pk}/suggestions/")
    assert [r.outcome for r in after.context["suggestion"].rows] == ["funded", "funded", "over_budget"]


def test_the_page_job_reports_an_item_decided_before_it_ran_and_decides_the_rest(call, three, panel):
    """Accepted, then someone decides B before the worker reaches it: B is refused with the
    reason, A and the decline of C go ahead; the job page shows both, with a progress total."""
    a, b, c = three
    suggestion = suggest_funding(call)
    with transaction.atomic():  # the job runs when this commits
        job = suggestions_apply_start(call=call, actor=panel, expected=suggestion.fingerprint, decline_rest=True)
        steps.decide(application=b, actor=panel, fund=True, approved_yuan="100000.00")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.total == 3 and job.done == 3
    assert [item for item, _t in job.result["decided"]] == [a.pk, c.pk]
    assert [(item, title) for item, title, _why in job.result["refused"]] == [(b.pk, "B")]
    assert FundingDecision.objects.get(application=b).approved_yuan == Decimal("100000.00")  # left as decided
    assert FundingDecision.objects.get(application=c).fund is False


def test_the_page_refuses_a_stale_list_at_once_and_queues_nothing(call, three, panel):
    a, b, c = three
    seen = suggest_funding(call).fingerprint
    steps.decide(application=a, actor=panel, fund=True, approved_yuan="100000.00")
    with pytest.raises(StateConflict):
        suggestions_apply_start(call=call, actor=panel, expected=seen)
    assert not Job.objects.filter(kind=APPLY_JOB_KIND).exists()

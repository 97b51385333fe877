"""Background jobs as people meet them (issue 18): the call draw from the call's page runs as a
job whose page shows a progress bar, then the draw; the status of any job is seen by its
creator and staff only; the sweep queues again a job whose task never reached a worker and
fails one whose worker died."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from core.jobs import job_claim, job_create, job_done, jobs_sweep
from core.models import Job, JobStatus
from core.tasks import sweep_jobs
from reviews.models import Assignment, Draw
from workflow.jobs import call_draw_job_run, call_draw_start

from ..conftest import make_expert
from .test_inbox_and_draw_pages import submitted

pytestmark = pytest.mark.django_db


def _items_in_review(call, applicant, staff, org_expert, n=2):
    for i in range(call.reviewers_per_item + 1):
        make_expert(f"pool{i}", org_expert)
    return [submitted(call, applicant, staff) for _ in range(n)]


def test_the_draw_page_queues_a_job_whose_page_shows_progress_then_the_draw(
    client, call, applicant, staff, org_expert, django_capture_on_commit_callbacks
):
    apps = _items_in_review(call, applicant, staff, org_expert)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # no worker yet
        response = client.post(f"/calls/{call.pk}/draw/", {"seed": "job-seed"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.total, job.params) == (
        "calls.draw",
        "queued",
        6,
        {"call": call.pk, "seed": "job-seed"},
    )
    assert not Draw.objects.exists()
    waiting = client.get(response["Location"]).content.decode()
    assert '<progress id="job-progress" max="6" value="0">' in waiting
    assert f'data-job-url="/api/jobs/{job.pk}/"' in waiting and '<noscript><meta http-equiv="refresh"' in waiting
    assert client.get(f"/api/jobs/{job.pk}/").json()["status"] == "queued"

    for callback in queued:  # the task reaches the worker (in process here)
        callback()
    job.refresh_from_db()
    draw = Draw.objects.get()
    assert job.status == JobStatus.DONE and job.result == {
        "call": call.pk, "draw": draw.pk, "seed": "job-seed", "drawn": 2, "short": 0
    }  # fmt: skip
    assert Assignment.objects.filter(application__in=apps).count() == 2 * call.reviewers_per_item
    with translation.override("en"):
        done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<progress" not in done and "http-equiv" not in done
    assert "Experts drawn for 2 items with seed job-seed; 0 items could not be filled from the pool." in done
    assert f'href="/draws/{draw.pk}/"' in done and f'href="/calls/{call.pk}/#draw"' in done
    status = client.get(f"/api/jobs/{job.pk}/").json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("done", 6, 6, 100)
    assert status["result"]["draw"] == draw.pk


def test_a_draw_with_nothing_to_draw_ends_with_an_empty_draw_and_a_failed_one_says_why(
    client, call, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/calls/{call.pk}/draw/", {})
    job = Job.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert job.status == JobStatus.DONE and (job.result["drawn"], job.result["short"]) == (0, 0)
    assert f'href="/calls/{call.pk}/#draw"' in page
    # A call gone before the worker got to it: the job fails, and its page says why (in the
    # language of the request that started it: English here, like the page).
    with translation.override("en"):
        gone = call_draw_start(call=call, actor=staff)
    Job.objects.filter(pk=gone.pk).update(params={"call": 0, "seed": ""})
    call_draw_job_run(job_id=gone.pk)
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and gone.error
    with translation.override("en"):
        failed = client.get(f"/jobs/{gone.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The work stopped:" in failed and "The call no longer exists." in failed


def test_a_draw_job_runs_once_when_its_task_is_delivered_twice(call, applicant, staff, org_expert):
    _items_in_review(call, applicant, staff, org_expert, n=1)
    job = call_draw_start(call=call, actor=staff, seed="twice")
    call_draw_job_run(job_id=job.pk)
    call_draw_job_run(job_id=job.pk)  # claimed already: nothing happens
    assert Draw.objects.count() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_only_the_creator_and_staff_see_a_job(client, staff, applicant, other_applicant, expert):
    mine = job_create(kind="x.test", actor=applicant, total=10)
    client.force_login(other_applicant)
    assert client.get(f"/api/jobs/{mine.pk}/").status_code == 404
    assert client.get(f"/jobs/{mine.pk}/").status_code == 404
    client.force_login(expert.user)
    assert client.get(f"/api/jobs/{mine.pk}/").status_code == 404
    client.force_login(applicant)
    assert client.get(f"/api/jobs/{mine.pk}/").json()["status"] == "queued"
    assert client.get(f"/jobs/{mine.pk}/").status_code == 200
    client.force_login(staff)
    assert client.get(f"/api/jobs/{mine.pk}/").status_code == 200
    assert client.get("/api/jobs/999999/").status_code == 404
    client.logout()
    assert client.get(f"/api/jobs/{mine.pk}/").status_code in (401, 403)


@pytest.mark.django_db(transaction=True)  # as the worker runs: no transaction around the test
def test_progress_reported_inside_a_transaction_is_seen_by_pollers(client, staff):
    from django.db import transaction

    from core.jobs import job_progress

    job = job_create(kind="x.test", actor=staff, total=10)
    job = job_claim(job_id=job.pk)
    with transaction.atomic():  # a draw runs in one transaction: the row would not move
        job_progress(job=job, done=4)
        assert Job.objects.get(pk=job.pk).done == 0
        assert job_done(Job.objects.get(pk=job.pk)) == 4
    client.force_login(staff)
    assert client.get(f"/api/jobs/{job.pk}/").json()["done"] == 4
    job_progress(job=job, done=6)  # outside one: on the row
    assert Job.objects.get(pk=job.pk).done == 6
    cache.clear()


def test_the_sweep_queues_a_stuck_job_again_and_fails_a_dead_one(
    call, applicant, staff, org_expert, settings, django_capture_on_commit_callbacks
):
    _items_in_review(call, applicant, staff, org_expert, n=1)
    # A draw whose task never reached a worker (the broker was down): queued, for long.
    stuck = call_draw_start(call=call, actor=staff, seed="late")
    # A job whose worker died under it: running, silent for long (started from an English page).
    with translation.override("en"):
        dead = job_create(kind="x.test", actor=staff, total=10, task="workflow.tasks.call_draw_run")
    job_claim(job_id=dead.pk)
    # A job queued a moment ago and one running with a recent sign of life: left alone.
    fresh = job_create(kind="x.test", actor=staff, total=10, task="workflow.tasks.call_draw_run")
    alive = job_create(kind="x.test", actor=staff, total=10, task="workflow.tasks.call_draw_run")
    job_claim(job_id=alive.pk)
    now = timezone.now()
    Job.objects.filter(pk=stuck.pk).update(created_at=now - dt.timedelta(minutes=6))
    Job.objects.filter(pk=dead.pk).update(heartbeat_at=now - dt.timedelta(minutes=61))
    Job.objects.filter(pk=alive.pk).update(heartbeat_at=now - dt.timedelta(minutes=59))
    # Claimed before jobs had a heartbeat: counted from its start.
    old = job_create(kind="x.test", actor=staff, total=10)
    Job.objects.filter(pk=old.pk).update(status="running", started_at=now - dt.timedelta(hours=2))

    assert sweep_jobs.delay().get() == {"queued": 1, "failed": 2}  # the beat task, in process
    stuck.refresh_from_db()
    dead.refresh_from_db()
    assert stuck.status == JobStatus.DONE and Draw.objects.get().seed == "late"
    assert dead.status == JobStatus.FAILED and "did not answer" in dead.error and dead.finished_at
    assert Job.objects.get(pk=old.pk).status == JobStatus.FAILED
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.QUEUED
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING
    assert jobs_sweep() == (0, 0)  # nothing left to do: run twice, it does nothing more


def test_the_plain_table_writer_keeps_types_text_and_the_bold_header():
    """``xlsx_table`` writes the sheet's XML itself (10,000 rows in well under a second, not ten
    through openpyxl's cell writer): what a spreadsheet program reads back is the same."""
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from reviews.exports import xlsx_table

    content = xlsx_table(
        "专家库",
        ["姓名", "负荷", "评分", "在库", "空"],
        [["a&<b>", 3, Decimal("71.125"), True, None], ["=SUM(1)", -1, 2.5, False, ""]] * 3,
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "专家库" and sheet.max_row == 7
    assert [c.value for c in sheet[1]] == ["姓名", "负荷", "评分", "在库", "空"] and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["a&<b>", 3, 71.125, True, None]
    assert [(c.value, c.data_type) for c in sheet[3][:4]] == [("=SUM(1)", "s"), (-1, "n"), (2.5, "n"), (False, "b")]
    assert sheet.column_dimensions["A"].width == 18


def test_the_pool_export_lists_each_experts_conflicts_load_and_organisation(client, staff, expert, org_expert):
    """The export reads plain values (issue 18: 10,000 experts in well under a second)."""
    import io

    from openpyxl import load_workbook

    from reviews.models import Conflict

    other = make_expert("other", None)
    Conflict.objects.create(expert=expert, organisation_name="甲公司")
    Conflict.objects.create(expert=expert, organisation_name="乙公司")
    client.force_login(staff)
    with translation.override("en"):
        response = client.get("/experts/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    rows = {r[1]: r for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)}
    mine = rows[expert.user.username]
    assert mine[3] == org_expert.name and mine[4] == org_expert.credit_code and mine[9] == 0
    assert mine[10] == "yes" and mine[11] == "甲公司; 乙公司"
    assert rows[other.user.username][3] == "" and rows[other.user.username][11] == ""


def test_the_plain_table_writer_gives_columns_their_number_format():
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from core.xlsx import table_bytes

    content = table_bytes(
        "list",
        ["title", "yuan", "mean"],
        [["a", Decimal("1234.5"), 71.25]],
        width=None,
        number_formats=["", "#,##0.00", "0.00"],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.number_format for c in sheet[2]] == ["General", "#,##0.00", "0.00"]
    assert sheet["B2"].value == 1234.5 and sheet["B1"].number_format == "General" and sheet["B1"].font.b


def test_the_draw_step_reports_its_progress_as_it_goes(call, applicant, staff, org_expert, monkeypatch):
    from workflow import steps

    _items_in_review(call, applicant, staff, org_expert)
    monkeypatch.setattr(steps, "DRAW_PROGRESS_EVERY", 1)
    seen: list[int] = []
    steps.call_draw(call=call, actor=staff, seed="steps", progress=seen.append)
    # Locked one by one (1, 2), the draw written (4), sent into review one by one (5, 6).
    assert seen == [1, 2, 2, 4, 5, 6]

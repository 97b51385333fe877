"""The expert import as a background job (issue 18): the upload answers at once (202 / a page
with a progress bar), a Celery task imports the stored sheet and reports its progress and the
per-row report on the job. Sheets refused as a whole are still refused in the request (400)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.models import Job, JobStatus
from reviews import imports
from reviews.models import Expert

from .conftest import sheet
from .test_pool_api import api, upload

ROWS = [
    ["钱十", "qianshi", "qianshi@example.org", "某大学", "", "manufacturing", "", "", 2, "yes", "某公司"],
    ["专家", "expert", "", "", "", "", "", "", 7, "", ""],
    ["", "nobody", "", "", "", "", "", "", "", "", ""],
]


@pytest.mark.django_db
def test_the_api_answers_202_with_the_job_and_the_job_gives_the_report(
    staff, expert, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly after commit
        response = api(staff).post("/api/experts/import/", upload(sheet(ROWS)), format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status_url"].endswith(f"/api/experts/import/{body['job']}/")
    assert response["Location"] == body["status_url"]

    job = api(staff).get(body["status_url"]).json()
    assert (job["status"], job["total"], job["done"], job["error"]) == ("done", 3, 3, "")
    report = job["report"]
    assert (report["created"], report["updated"], report["refused"]) == (1, 1, 1)
    created, updated, refused = report["rows"]
    assert created["expert"] == Expert.objects.get(user__username="qianshi").pk
    assert updated == {"row": 3, "username": "expert", "name": "专家", "status": "updated", "errors": {},
                       "expert": expert.pk}  # fmt: skip
    assert refused["status"] == "refused" and set(refused["errors"]) == {"name"}
    assert api(expert.user).get(body["status_url"]).status_code == 403


@pytest.mark.django_db
def test_a_queued_job_shows_no_report_yet_and_the_upload_is_stored(staff):
    content = sheet(ROWS)  # built once: an .xlsx carries the second it was written
    response = api(staff).post("/api/experts/import/", upload(content), format="multipart")
    assert response.status_code == 202  # the task waits for a commit the test never makes
    job = Job.objects.get(pk=response.json()["job"])
    assert (job.status, job.total, job.done, job.kind) == (JobStatus.QUEUED, 3, 0, "experts.import")
    assert job.upload.name.startswith("jobs/") and job.upload.read() == content
    answer = api(staff).get(response.json()["status_url"]).json()
    assert (answer["status"], answer["done"], answer["report"]) == ("queued", 0, None)
    assert not Expert.objects.filter(user__username="qianshi").exists()


@pytest.mark.django_db
def test_files_refused_as_a_whole_stay_a_400_in_the_request(staff):
    client = api(staff)
    unreadable = client.post("/api/experts/import/", upload(b"plain text"), format="multipart")
    assert unreadable.status_code == 400 and "file" in unreadable.json()
    too_many = sheet([[f"n{i}", f"u{i}"] for i in range(imports.MAX_ROWS + 1)], header=["name", "username"])
    refused = client.post("/api/experts/import/", upload(too_many), format="multipart")
    assert refused.status_code == 400 and "2000" in str(refused.json()["file"])
    no_header = sheet([["钱十", "qianshi"]], header=["who", "login"])
    assert client.post("/api/experts/import/", upload(no_header), format="multipart").status_code == 400
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_page_shows_a_progress_bar_then_the_report(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with translation.override("en"):
        response = client.post("/experts/import/", {"file": SimpleUploadedFile("pool.xlsx", sheet(ROWS))},
                               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        job = Job.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/experts/import/{job.pk}/"
        waiting = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<progress id="job-progress" max="3" value="0">' in waiting
        assert f'data-job-url="/api/jobs/{job.pk}/"' in waiting  # the status of any job
        assert '<noscript><meta http-equiv="refresh"' in waiting  # without JavaScript it reloads
        assert client.get(f"/experts/import/{job.pk}/report.xlsx").status_code == 404

        imports.experts_import_job_run(job_id=job.pk)  # what the worker does
        done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<progress" not in done and "http-equiv" not in done
    assert "1 created, 0 updated, 2 refused." in done
    assert client.get(f"/experts/import/{job.pk}/report.xlsx").status_code == 200
    assert client.get("/experts/import/report.xlsx").status_code == 200  # the session's last import


@pytest.mark.django_db
def test_a_job_runs_once_even_if_its_task_is_delivered_twice(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.experts_import_start(upload=sheet(ROWS[:1]), actor=staff)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    imports.experts_import_job_run(job_id=job.pk)  # a second delivery: claimed already, nothing happens
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 1
    assert Expert.objects.filter(user__username="qianshi").count() == 1


@pytest.mark.django_db
def test_a_job_whose_creator_lost_the_staff_role_fails_with_the_reason(staff, expert):
    job = imports.experts_import_start(upload=sheet(ROWS[:1]), actor=staff)
    staff.groups.clear()
    imports.experts_import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    assert not Expert.objects.filter(user__username="qianshi").exists()

"""A real Celery worker runs the expert import job (issue 18): the request stores the sheet and
answers 202, the worker (another process, reading the same media storage and test database)
imports it and leaves the per-row report on the job. Needs PostgreSQL and Redis, like
tests/notifications/test_worker.py, whose worker fixtures these are."""

from __future__ import annotations

import time

import pytest

from core.models import Job, JobStatus
from reviews.models import Conflict, Expert
from tests.notifications.test_worker import broker, worker  # noqa: F401 - the fixtures

from .conftest import sheet
from .test_import_job import ROWS
from .test_pool_api import api, upload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TIMEOUT = 60.0


def test_a_real_worker_imports_the_sheet_and_reports_per_row(worker, broker, staff, expert):  # noqa: F811
    response = api(staff).post("/api/experts/import/", upload(sheet(ROWS)), format="multipart")
    assert response.status_code == 202, response.content
    status_url = response.json()["status_url"]
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job = api(staff).get(status_url).json()
        if job["status"] in ("done", "failed"):
            break
        assert job["status"] in ("queued", "running") and 0 <= job["done"] <= job["total"] == 3
        time.sleep(0.3)
    else:
        pytest.fail(f"the import did not finish in {TIMEOUT} s; worker log:\n{worker.log.read_text()[-4000:]}")

    assert (job["status"], job["done"], job["total"]) == ("done", 3, 3), job
    report = job["report"]
    assert (report["created"], report["updated"], report["refused"]) == (1, 1, 1)
    created = Expert.objects.get(user__username="qianshi")
    assert report["rows"][0]["expert"] == created.pk
    assert list(Conflict.objects.filter(expert=created).values_list("organisation_name", flat=True)) == ["某公司"]
    assert Job.objects.get(pk=response.json()["job"]).status == JobStatus.DONE

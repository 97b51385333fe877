"""The demo year loads through the step entry points, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_load_demo_is_idempotent_and_covers_every_state():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first

    statuses = set(Application.objects.values_list("status", flat=True))
    for status in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.IN_REVIEW, S.REVIEWED, S.FUNDED, S.CONTRACTED, S.CLOSED):
        assert status in statuses, status

    in_review = Application.objects.get(status=S.IN_REVIEW)
    assert in_review.assignments.count() >= 2
    assert Review.objects.filter(assignment__application=in_review).count() == 1
    contracted = Application.objects.get(status=S.CONTRACTED)
    assert Disbursement.objects.get(application=contracted, tranche=1).status == D.REQUESTED
    closed = Application.objects.get(status=S.CLOSED)
    assert set(Disbursement.objects.filter(application=closed).values_list("status", flat=True)) == {D.PAID}

    usernames = {
        "admin",
        "demo_applicant",
        "demo_applicant2",
        "demo_nominator",
        "demo_staff",
        "demo_panel",
        "demo_finance_officer",
        "demo_finance_head",
        *(f"demo_expert{n}" for n in range(1, 7)),
    }
    users = User.objects.filter(username__in=usernames)
    assert users.count() == len(usernames)
    assert all(u.check_password("demo-pass-2026") for u in users)
    assert User.objects.filter(username__startswith="demo_expert", expert__isnull=False).count() == 6

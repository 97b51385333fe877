"""An expert's load limit holds when staff pick them for several items at the same moment
(real PostgreSQL, threads): the expert's row is locked, and the load counted after the lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews.models import Assignment
from workflow import steps

from ..conftest import make_expert
from ..funding.test_money_races import race
from ..workflow.test_plan_project_services import draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_picking_one_expert_for_four_items_at_once_stops_at_their_load_limit(call, applicant, staff, org_expert):
    expert = make_expert("busy_expert", org_expert)
    expert.load_limit = 2
    expert.save()
    apps = []
    for _ in range(4):
        app = draft(call, applicant)
        steps.application_submit(application=app, actor=applicant)
        steps.formal_review(application=app, actor=staff, decision="accept", comment="")
        apps.append(app)

    results = race([lambda app=app: steps.assignment_add(application=app, expert=expert, actor=staff) for app in apps])

    seated = [r for r in results if isinstance(r, Assignment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(seated), len(refused)) == (2, 2), results
    assert all("expert" in r.message_dict for r in refused)
    assert Assignment.objects.filter(expert=expert).count() == 2

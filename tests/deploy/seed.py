"""Seed the scratch database of tests/deploy, run by the clean production virtualenv.

Prints one JSON line: the people and calls the tests act on. Uses the services, as staff would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
django.setup()

from django.utils import timezone  # noqa: E402 - after django.setup()
from stdnum.cn import uscc  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import Organisation  # noqa: E402
from accounts.services import user_create  # noqa: E402
from applications.models import Call, Programme  # noqa: E402
from notifications.services import DIGEST_KIND, email_preference_set  # noqa: E402
from reviews.services import criteria_set  # noqa: E402

PASSWORD = sys.argv[1]
now = timezone.now()
org = Organisation.objects.create(
    name="永嘉县东蒙集团有限公司", credit_code="91330324MA285KJ35" + uscc.calc_check_digit("91330324MA285KJ35")
)
applicant = user_create(
    username="applicant", password=PASSWORD, email="applicant@example.org", roles=[Role.APPLICANT], organisation=org
)
staff = user_create(username="staff", password=PASSWORD, email="staff@example.org", roles=[Role.STAFF])
email_preference_set(user=staff, kind=DIGEST_KIND, email=True)  # the daily summary: a clock's e-mail
programme = Programme.objects.create(code="industrial", name="工业重点项目")


def make_call(title: str, batch: int, closes_at: dt.datetime) -> Call:
    call = Call.objects.create(
        programme=programme,
        title=title,
        year=2026,
        batch=batch,
        opens_at=now - dt.timedelta(days=10),
        closes_at=closes_at,
        budget_yuan=Decimal("1000000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=2,
        min_reviews=1,
        notice_days=7,
        tranches=[60, 40],
    )
    criteria_set(call=call, criteria=[{"code": "innovation", "label": "创新性", "weight": 100, "max_score": 100}])
    return call


open_call = make_call("2026年度第一批科技计划项目", 1, now + dt.timedelta(days=30))
due_call = make_call("2026年度第二批科技计划项目", 2, now - dt.timedelta(minutes=1))  # beat closes it
print(json.dumps({"open_call": open_call.pk, "due_call": due_call.pk, "applicant": "applicant", "staff": "staff"}))

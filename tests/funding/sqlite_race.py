"""Run in a subprocess by test_sqlite_races.py, on the embedded default: SQLite in a file
(PINGSHEN_VAR_DIR), no DATABASE_URL, no Redis. Migrates, makes 8 reviewed items on a call whose
budget funds 3, then 8 panel members decide at once over the API, each thread on its own
connection. Prints ``RESULT <json>``: every answer's status and body, and the funded total.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
assert "DATABASE_URL" not in os.environ, "this runs on the embedded SQLite default"
django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from funding.models import FundingDecision  # noqa: E402
from tests.conftest import CRITERIA, _user, make_expert  # noqa: E402
from tests.funding.test_money_races import race, reviewed  # noqa: E402


def main() -> None:
    assert connection.vendor == "sqlite" and str(settings.VAR_DIR) in str(settings.DATABASES["default"]["NAME"])
    setup_test_environment()  # ALLOWED_HOSTS gets "testserver"
    call_command("migrate", verbosity=0)
    import datetime as dt

    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Organisation
    from applications.models import Call, Programme
    from reviews.services import criteria_set
    from tests.conftest import make_code

    now = timezone.now()
    programme = Programme.objects.create(code="industrial", name="工业重点项目")
    call = Call.objects.create(
        programme=programme,
        title="2016年度第一批科技计划项目",
        year=2016,
        batch=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=Decimal("300000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=1,
        min_reviews=1,
        notice_days=7,
        tranches=[60, 40],
    )
    criteria_set(call=call, criteria=CRITERIA)
    org = Organisation.objects.create(name="永嘉县东蒙集团有限公司", credit_code=make_code("91330324MA285KJ35"))
    university = Organisation.objects.create(
        name="浙江理工大学", credit_code=make_code("12330000470187636"), kind="university"
    )
    applicant = _user("applicant", [Role.APPLICANT], org)
    staff = _user("staff", [Role.STAFF])
    expert = make_expert("race_expert", university)
    expert.load_limit = 100
    expert.save()
    apps = reviewed(call, applicant, staff, expert, 8)
    panels = [_user(f"panel{i}", [Role.PANEL]) for i in range(8)]
    clients = []
    for user in panels:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)

    def decide(client: Client, pk: int) -> tuple[int, str]:
        response = client.post(
            f"/api/applications/{pk}/decision/",
            {"fund": True, "approved_yuan": "100000.00"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        return response.status_code, response.content.decode()

    answers = race([lambda c=c, a=a: decide(c, a.pk) for c, a in zip(clients, apps, strict=True)])
    funded = FundingDecision.objects.filter(application__call=call, fund=True)
    print(
        "RESULT "
        + json.dumps(
            {
                "answers": [a if isinstance(a, tuple) else ["exception", repr(a)] for a in answers],
                "funded": funded.count(),
                "total": str(sum((d.approved_yuan for d in funded), Decimal("0"))),
                "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
            }
        )
    )


main()

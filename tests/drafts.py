"""The draft most tests start from: a county plan project as an applicant writes it (the keys
of ``application_create`` and of the application form and API alike). Tests that need another
title or amount spread it and override: ``{**DRAFT, "title": …}``; ``PERIOD`` adds the project's
period where a test needs one (a project without dates runs from its call's year).
``applications_written`` puts many in one state at once, for tests that measure reads."""

from decimal import Decimal
from typing import Any

DRAFT = {
    "title": "高效节能阀门研发",
    "summary": "研发新一代高效节能阀门。",
    "field": "manufacturing",
    "requested_yuan": "300000.00",
    "self_funding_yuan": "600000.00",
}
PERIOD = {"start_date": "2016-07-01", "end_date": "2018-06-30"}
DRAFT_WITH_PERIOD = {**DRAFT, **PERIOD}


def applications_written(call: Any, applicant: Any, n: int, status: str, **fields: Any) -> list[Any]:
    """``n`` applications in ``status``, written directly (``bulk_create``, no workflow): for
    tests that measure or page reads, not the steps."""
    from applications.models import Application

    return Application.objects.bulk_create(
        Application(
            call=call,
            applicant=applicant,
            organisation_id=applicant.organisation_id,
            title=f"项目 {i:03d}",
            field="manufacturing",
            requested_yuan=Decimal("300000.00"),
            status=status,
            submitted_at=None if status == "draft" else fields.get("submitted_at"),
            approved_yuan=fields.get("approved_yuan"),
        )
        for i in range(n)
    )

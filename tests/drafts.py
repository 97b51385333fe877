"""The draft most tests start from: a county plan project as an applicant writes it (the keys
of ``application_create`` and of the application form and API alike). Tests that need another
title or amount spread it and override: ``{**DRAFT, "title": …}``; ``PERIOD`` adds the project's
period where a test needs one (a project without dates runs from its call's year)."""

DRAFT = {
    "title": "高效节能阀门研发",
    "summary": "研发新一代高效节能阀门。",
    "field": "manufacturing",
    "requested_yuan": "300000.00",
    "self_funding_yuan": "600000.00",
}
PERIOD = {"start_date": "2016-07-01", "end_date": "2018-06-30"}
DRAFT_WITH_PERIOD = {**DRAFT, **PERIOD}

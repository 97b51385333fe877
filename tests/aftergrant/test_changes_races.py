"""Two change requests of one kind at the same moment: one is made, the other refused (409).
Real PostgreSQL, threads released together (as tests/funding/test_money_races.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from aftergrant.changes import change_request_create
from aftergrant.enums import ContractStatus
from aftergrant.models import ChangeRequest, ContractVersion
from core.errors import StateConflict

from ..funding.test_money_races import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_of_one_kind_at_once_make_one(project, applicant):
    end = ContractVersion.objects.get(application=project, status=ContractStatus.IN_FORCE).ends_on

    def ask(days: int) -> object:
        return change_request_create(
            application=project,
            actor=applicant,
            kind="extension",
            reason="延期",
            new_end_date=end + dt.timedelta(days=days),
        )

    results = race([lambda: ask(30), lambda: ask(60)])
    made = [r for r in results if isinstance(r, ChangeRequest)]
    refused = [r for r in results if isinstance(r, StateConflict)]
    assert len(made) == 1 and len(refused) == 1, results
    assert ChangeRequest.objects.filter(application=project, kind="extension").count() == 1

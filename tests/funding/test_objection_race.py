"""Issue 14.6: an objection and a close at the same moment (real PostgreSQL, threads). The
objection takes the notice's row lock before checking that the notice is still open, as the
close does before counting open objections: exactly one of them wins, never both."""

from __future__ import annotations

import time

import pytest

from core.errors import StateConflict
from funding import services as funding_services
from funding.models import Notice, Objection
from workflow import steps

from ..conftest import notice_window_passed
from .test_money_races import race
from .test_objections import funded_on_notice

pytestmark = pytest.mark.django_db(transaction=True)


def test_objection_filed_at_the_close_never_lands_on_a_closed_notice(
    call, applicant, staff, expert, panel, monkeypatch
):
    notice, (app,) = funded_on_notice(call, applicant, staff, expert, panel)
    notice_window_passed(notice)

    def slow_is_open(n):
        # The objection arrived a moment before ends_at: it passes the time check, then is
        # slow to write. Without the row lock the close would slip in between.
        time.sleep(0.3)
        return n.closed_at is None

    monkeypatch.setattr(funding_services, "notice_is_open", slow_is_open)

    def file():
        return funding_services.objection_file(
            notice=notice, application_id=app.pk, text="数据不实", name="张三", contact="138"
        )

    def close():
        time.sleep(0.1)  # the objection takes the lock first
        return steps.notice_close(notice=Notice.objects.get(pk=notice.pk), actor=staff)

    filed, closed = race([file, close])
    assert isinstance(filed, Objection), filed
    assert isinstance(closed, StateConflict), closed
    assert Notice.objects.get(pk=notice.pk).closed_at is None


def test_close_first_then_the_objection_is_refused(call, applicant, staff, expert, panel, monkeypatch):
    notice, (app,) = funded_on_notice(call, applicant, staff, expert, panel)
    notice_window_passed(notice)
    # As above, the objection passed the clock check; here the close holds the lock first.
    monkeypatch.setattr(funding_services, "notice_is_open", lambda n: n.closed_at is None)

    def close():
        return steps.notice_close(notice=Notice.objects.get(pk=notice.pk), actor=staff)

    def file():
        time.sleep(0.2)
        return funding_services.objection_file(
            notice=notice, application_id=app.pk, text="数据不实", name="张三", contact="138"
        )

    closed, filed = race([close, file])
    assert isinstance(closed, Notice), closed
    assert isinstance(filed, StateConflict), filed
    assert Objection.objects.count() == 0

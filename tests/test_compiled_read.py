"""``core.db.CompiledRead``: a read compiled once gives what its queryset gives, with the
statement the queryset sends, for every value it is called with."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from applications.services import application_create
from core.db import CompiledRead
from notifications.services import with_email_choices
from tests.drafts import DRAFT, DRAFT_WITH_PERIOD

pytestmark = pytest.mark.django_db


def _locked_with_call(pk: int) -> QuerySet[Application]:
    rows = Application.objects.select_for_update(of=("self",)).select_related("call", "applicant")
    return with_email_choices(rows, "applicant_id").filter(pk=pk)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_compiled_read_gives_the_querysets_instances_and_statement_for_each_value(call, applicant, other_applicant):
    first = application_create(actor=applicant, call=call, **DRAFT)
    second = application_create(actor=other_applicant, call=call, **{**DRAFT, "title": "第二项"})
    read = CompiledRead(_locked_with_call)
    with transaction.atomic():
        for app in (first, second, first):
            expected = _locked_with_call(app.pk).first()
            with CaptureQueriesContext(connection) as orm:
                _locked_with_call(app.pk).first()
            with CaptureQueriesContext(connection) as compiled:
                got = read.first(pk=app.pk)
            assert got is not None and expected is not None
            assert [q["sql"] for q in compiled.captured_queries] == [q["sql"] for q in orm.captured_queries]
            assert _fields(got) == _fields(expected)
            assert _fields(got.call) == _fields(expected.call)  # type: ignore[attr-defined]
            assert _fields(got.applicant) == _fields(expected.applicant)  # type: ignore[attr-defined]
            assert got.__dict__.get("notify_email_choices") == expected.__dict__.get("notify_email_choices")
            assert got._state.adding is False and got._state.db == "default"


def test_compiled_read_get_answers_does_not_exist_and_rows_gives_every_row(call, applicant):
    app = application_create(actor=applicant, call=call, **DRAFT)
    read = CompiledRead(lambda pk: Application.objects.filter(pk=pk))
    with pytest.raises(Application.DoesNotExist):
        read.get(pk=app.pk + 1000)
    assert read.get(pk=app.pk).pk == app.pk
    assert [a.pk for a in read.rows(pk=app.pk)] == [app.pk]
    assert read.rows(pk=app.pk + 1000) == []


def test_compiled_read_refuses_a_value_it_cannot_find_in_the_statement():
    read = CompiledRead(lambda pk: Application.objects.filter(pk=pk + 1))  # the value changed on its way
    with pytest.raises(TypeError):
        read.first(pk=1)


@pytest.mark.django_db(transaction=True)
def test_compiled_read_for_update_outside_a_transaction_is_refused_as_the_queryset_refuses_it(call, applicant):
    app = application_create(actor=applicant, call=call, **DRAFT)
    read = CompiledRead(_locked_with_call)
    with transaction.atomic():
        assert read.first(pk=app.pk) is not None
    with pytest.raises(transaction.TransactionManagementError):
        read.first(pk=app.pk)


def test_rows_with_gives_both_reads_instances_in_one_statement(call, applicant, other_applicant):
    """``rows_with``: a read and another read's first row, in one statement, each as its own
    statement would give it; the other is not read when the first finds nothing."""
    first = application_create(actor=applicant, call=call, **DRAFT)
    second = application_create(actor=other_applicant, call=call, **{**DRAFT, "title": "第二项"})
    of_call = CompiledRead(lambda call: Application.objects.filter(call=call).order_by("pk"))
    along = CompiledRead(_locked_with_call)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            rows, carried = of_call.rows_with(along, values={"call": call.pk}, along_values={"pk": second.pk})
        assert len(queries) == 1
        assert [_fields(r) for r in sorted(rows, key=lambda r: r.pk)] == [
            _fields(a) for a in of_call.rows(call=call.pk)
        ]
        assert [r.pk for r in of_call.rows(call=call.pk)] == [first.pk, second.pk]
        expected = along.first(pk=second.pk)
        assert expected is not None and len(carried) == 1
        got = carried[0]
        assert _fields(got) == _fields(expected)
        assert _fields(got.call) == _fields(expected.call)  # type: ignore[attr-defined]
        assert _fields(got.applicant) == _fields(expected.applicant)  # type: ignore[attr-defined]
        assert got.__dict__.get("notify_email_choices") == expected.__dict__.get("notify_email_choices")

        # No row along: the rows, and nothing carried (not a row of NULLs).
        rows, carried = of_call.rows_with(along, values={"call": call.pk}, along_values={"pk": second.pk + 1000})
        assert len(rows) == 2 and carried == []
        # No row here: nothing, and the read along was not made.
        rows, carried = of_call.rows_with(along, values={"call": call.pk + 1000}, along_values={"pk": second.pk})
        assert (rows, carried) == ([], [])


def test_a_compiled_read_takes_a_day_as_it_takes_an_id(call, applicant):
    """A day (today's records in force) is a value like an id: each call's day reaches the
    statement, on PostgreSQL as a date and on SQLite as its text; other kinds are refused."""
    import datetime as dt

    app = application_create(actor=applicant, call=call, **DRAFT_WITH_PERIOD)  # 2016-07-01 to 2018-06-30
    started = CompiledRead(
        lambda call, day: Application.objects.filter(call=call, start_date__lte=day, end_date__gte=day)
    )
    for day, expected in ((dt.date(2016, 6, 30), []), (dt.date(2016, 7, 1), [app.pk]), (dt.date(2018, 7, 1), [])):
        orm = Application.objects.filter(call=call, start_date__lte=day, end_date__gte=day)
        assert [a.pk for a in started.rows(call=call.pk, day=day)] == [a.pk for a in orm] == expected
    with pytest.raises(TypeError):
        started.rows(call=call.pk, day=dt.datetime(2016, 7, 1, 12, 0))  # a moment is not a day
    with pytest.raises(TypeError):
        started.rows(call=call.pk, day="2016-07-01")

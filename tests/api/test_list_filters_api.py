"""Lists filter the way people ask (django-filter FilterSets): status, call, programme, field,
organisation, year, dates and a search of titles; an unknown choice is 400."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, Call, Programme
from funding.models import Disbursement
from notifications.models import Notification
from tests.api.conftest import ok

pytestmark = pytest.mark.django_db


def titles(body) -> list[str]:
    return sorted(row["title"] for row in body["results"])


@pytest.fixture
def three(draft, as_applicant):
    """Three applications: two drafts (manufacturing, agriculture) and one submitted."""
    a = draft(title="高效节能阀门研发")
    b = draft(title="高山茶种植技术", field="agriculture")
    c = draft(title="智能泵站控制系统")
    ok(as_applicant.post(f"/api/applications/{c}/submit/", {"pledge": True}, format="json"))
    return a, b, c


def test_applications_filter_by_status(three, as_applicant, as_staff):
    assert titles(ok(as_applicant.get("/api/applications/?status=submitted"))) == ["智能泵站控制系统"]
    assert titles(ok(as_applicant.get("/api/applications/?status=draft"))) == ["高山茶种植技术", "高效节能阀门研发"]
    both = ok(as_applicant.get("/api/applications/?status=draft&status=submitted"))
    assert both["count"] == 3
    assert ok(as_staff.get("/api/applications/?status=draft"))["count"] == 0  # staff never see drafts


def test_applications_filter_by_field_search_call_year_and_programme(three, as_applicant, call):
    assert titles(ok(as_applicant.get("/api/applications/?field=agriculture"))) == ["高山茶种植技术"]
    assert titles(ok(as_applicant.get("/api/applications/?search=泵站"))) == ["智能泵站控制系统"]
    assert ok(as_applicant.get(f"/api/applications/?call={call.pk}"))["count"] == 3
    assert ok(as_applicant.get(f"/api/applications/?call={call.pk + 1000}"))["count"] == 0
    assert ok(as_applicant.get(f"/api/applications/?year={call.year}"))["count"] == 3
    assert ok(as_applicant.get(f"/api/applications/?year={call.year + 1}"))["count"] == 0
    assert ok(as_applicant.get(f"/api/applications/?programme={call.programme_id}"))["count"] == 3
    other = Programme.objects.create(code="agri", name="农业")
    assert ok(as_applicant.get(f"/api/applications/?programme={other.pk}"))["count"] == 0


def test_applications_filter_by_organisation_and_submission_dates(three, as_applicant, applicant):
    org = applicant.organisation
    assert ok(as_applicant.get(f"/api/applications/?organisation={org.pk}"))["count"] == 3
    assert ok(as_applicant.get("/api/applications/?organisation=东蒙"))["count"] == 3
    assert ok(as_applicant.get("/api/applications/?organisation=红蜻蜓"))["count"] == 0
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert titles(ok(as_applicant.get(f"/api/applications/?submitted_after={today}"))) == ["智能泵站控制系统"]
    assert ok(as_applicant.get(f"/api/applications/?submitted_after={tomorrow}"))["count"] == 0


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("status=nonsense", "status"),
        ("field=制造业", "field"),
        ("programme=999999", "programme"),
        ("submitted_after=2016-13-45", "submitted_after"),
        ("year=abc", "year"),
    ],
)
def test_applications_unknown_choices_are_400_naming_the_filter(as_applicant, query, key):
    response = as_applicant.get(f"/api/applications/?{query}")
    assert response.status_code == 400 and key in response.json()


def test_nominations_filter_like_applications(as_applicant):
    assert as_applicant.get("/api/nominations/?status=nonsense").status_code == 400
    assert ok(as_applicant.get("/api/nominations/?status=draft"))["count"] == 0


def test_calls_filter_by_year_open_programme_and_title(as_applicant, call, programme):
    closed = Call.objects.get(pk=call.pk)
    closed.pk = None
    closed.title = "2015年度第二批"
    closed.year = 2015
    closed.closed_at = timezone.now()
    closed.save()
    assert titles(ok(as_applicant.get("/api/calls/?year=2015"))) == ["2015年度第二批"]
    assert titles(ok(as_applicant.get("/api/calls/?open=true"))) == [call.title]
    assert titles(ok(as_applicant.get("/api/calls/?open=false"))) == ["2015年度第二批"]
    assert ok(as_applicant.get("/api/calls/?search=第二批"))["count"] == 1
    assert ok(as_applicant.get(f"/api/calls/?programme={programme.pk}"))["count"] == 2
    assert as_applicant.get("/api/calls/?programme=999999").status_code == 400


def test_award_rounds_filter_by_year(as_applicant):
    assert ok(as_applicant.get("/api/award-rounds/?year=2016"))["count"] == 0
    assert as_applicant.get("/api/award-rounds/?open=maybe").status_code in (200, 400)


def test_assignments_filter_by_status_and_kind(in_review, as_expert):
    in_review(title="甲项目")
    assert ok(as_expert.get("/api/assignments/?status=invited"))["count"] == 1
    assert ok(as_expert.get("/api/assignments/?status=submitted"))["count"] == 0
    assert ok(as_expert.get("/api/assignments/?item_type=nomination"))["count"] == 0
    assert ok(as_expert.get("/api/assignments/?search=甲"))["count"] == 1
    assert as_expert.get("/api/assignments/?status=bogus").status_code == 400


def test_disbursements_filter_by_status_and_tranche(draft, as_officer):
    pk = draft()
    Application.objects.filter(pk=pk).update(approved_yuan=Decimal("1000.00"), status="funded")
    app = Application.objects.get(pk=pk)
    Disbursement.objects.create(application=app, tranche=1, amount_yuan=Decimal("100.00"))
    Disbursement.objects.create(application=app, tranche=2, amount_yuan=Decimal("50.00"), status="paid")
    assert ok(as_officer.get("/api/disbursements/?status=paid"))["count"] == 1
    assert ok(as_officer.get("/api/disbursements/?tranche=1"))["count"] == 1
    assert ok(as_officer.get("/api/disbursements/?search=阀门"))["count"] == 2
    assert as_officer.get("/api/disbursements/?status=lost").status_code == 400


def test_notifications_filter_by_kind_and_read(applicant, as_applicant):
    Notification.objects.create(recipient=applicant, kind="decision", subject="决定", body="资助")
    Notification.objects.create(
        recipient=applicant, kind="returned", subject="退回", body="补充", read_at=timezone.now()
    )
    assert ok(as_applicant.get("/api/notifications/?kind=decision"))["count"] == 1
    assert ok(as_applicant.get("/api/notifications/?read=false"))["count"] == 1
    assert ok(as_applicant.get("/api/notifications/?read=true"))["count"] == 1
    assert ok(as_applicant.get("/api/notifications/?search=补充"))["count"] == 1
    assert as_applicant.get("/api/notifications/?kind=nonsense").status_code == 400


def test_experts_list_for_staff_filters_by_field_and_active(as_staff, as_applicant, expert, org_expert):
    from tests.conftest import make_expert

    farmer = make_expert("farmer", org_expert, fields=["agriculture"])
    farmer.active = False
    farmer.save(update_fields=["active"])
    assert ok(as_staff.get("/api/experts/?field=agriculture"))["results"][0]["id"] == farmer.pk
    assert [e["id"] for e in ok(as_staff.get("/api/experts/?active=yes"))["results"]] == [expert.pk]
    assert ok(as_staff.get("/api/experts/?search=farm"))["count"] == 1
    assert as_staff.get("/api/experts/?field=制造").status_code == 400
    assert as_applicant.get("/api/experts/").status_code == 403


def test_filtered_application_list_queries_do_not_grow_with_rows(draft, as_applicant):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ok(as_applicant.get("/api/applications/?status=draft&field=manufacturing&search=阀门&year=2016"))
        return len(ctx.captured_queries)

    draft()
    count()  # the field names come into their cache
    one = count()
    for i in range(10):
        draft(title=f"阀门{i}")
    assert count() == one


def test_expert_list_queries_do_not_grow_with_rows(as_staff, org_expert):
    from tests.conftest import make_expert

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ok(as_staff.get("/api/experts/?field=manufacturing"))
        return len(ctx.captured_queries)

    make_expert("e0", org_expert)
    count()  # the field names come into their cache
    one = count()
    for i in range(1, 11):
        make_expert(f"e{i}", org_expert)
    assert count() == one

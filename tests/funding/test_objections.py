"""Issue 14.6: objections cannot stall a notice. Rate-limited per client address (429 with
Retry-After), named and reachable (400 naming the field), dismissed in bulk by staff, and
filed under the notice's row lock so none lands on a closed notice."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from funding.enums import ObjectionStatus
from funding.models import Objection
from workflow import steps

from ..conftest import notice_window_passed
from ..workflow.test_plan_project_services import SCORES, to_review

pytestmark = pytest.mark.django_db


def funded_on_notice(call, applicant, staff, expert, panel, *, also_not_funded=False):
    apps = []
    for title, fund in [("公示项目", True), ("未获资助项目", False)][: 2 if also_not_funded else 1]:
        app, (a1,) = to_review(call, applicant, staff, [expert], title=title)
        steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
        steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
        steps.decide(application=app, actor=panel, fund=fund, approved_yuan="100000.00" if fund else None)
        apps.append(app)
    return steps.notice_publish(call=call, actor=staff), apps


@pytest.fixture
def notice(call, applicant, staff, expert, panel):
    return funded_on_notice(call, applicant, staff, expert, panel)[0]


def objection_body(notice, **over):
    return {"item": notice.applications.get().pk, "text": "数据不实", "name": "张三", "contact": "138", **over}


def test_objections_from_one_address_are_limited_with_retry_after(notice, anon, settings):
    settings.PINGSHEN_OBJECTIONS_PER_HOUR = 3
    url = f"/api/notices/{notice.pk}/objections/"
    for _ in range(3):
        assert anon.post(url, objection_body(notice), format="json", REMOTE_ADDR="203.0.113.7").status_code == 201
    refused = anon.post(url, objection_body(notice), format="json", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"]
    assert Objection.objects.count() == 3
    # Another address is not held back by the first one's flood.
    assert anon.post(url, objection_body(notice), format="json", REMOTE_ADDR="198.51.100.2").status_code == 201


def test_bad_objections_do_not_use_up_the_allowance(notice, anon, settings):
    settings.PINGSHEN_OBJECTIONS_PER_HOUR = 1
    url = f"/api/notices/{notice.pk}/objections/"
    for _ in range(3):
        assert anon.post(url, objection_body(notice, name=""), format="json").status_code == 400
    assert anon.post(url, objection_body(notice), format="json").status_code == 201
    assert anon.post(url, objection_body(notice), format="json").status_code == 429


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(notice, anon, settings):
    settings.PINGSHEN_OBJECTIONS_PER_HOUR = 1
    url = f"/api/notices/{notice.pk}/objections/"
    # No proxy configured: X-Forwarded-For is the client's own word and changes nothing.
    assert anon.post(url, objection_body(notice), format="json", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 201
    assert anon.post(url, objection_body(notice), format="json", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    # Behind one proxy of ours, the address it saw is the last entry; what the client wrote before is ignored.
    settings.PINGSHEN_PROXY_COUNT = 1
    spoof = "9.9.9.9, 203.0.113.50"
    assert anon.post(url, objection_body(notice), format="json", HTTP_X_FORWARDED_FOR=spoof).status_code == 201
    again = "8.8.8.8, 203.0.113.50"
    assert anon.post(url, objection_body(notice), format="json", HTTP_X_FORWARDED_FOR=again).status_code == 429


def test_an_objection_needs_a_name_and_a_contact(notice, anon):
    response = anon.post(
        f"/api/notices/{notice.pk}/objections/", objection_body(notice, name=" ", contact=""), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "contact"}


def test_the_notice_page_answers_a_flood_with_429(notice, settings):
    settings.PINGSHEN_OBJECTIONS_PER_HOUR = 1
    page = Client()
    body = objection_body(notice)
    assert page.post(f"/notices/{notice.pk}/", body).status_code == 302
    flooded = page.post(f"/notices/{notice.pk}/", body)
    assert flooded.status_code == 429
    assert int(flooded["Retry-After"]) > 0
    assert Objection.objects.count() == 1


def test_no_objection_after_the_notice_closed(notice, anon, staff):
    steps.notice_close(notice=notice_window_passed(notice), actor=staff)
    response = anon.post(f"/api/notices/{notice.pk}/objections/", objection_body(notice), format="json")
    assert response.status_code == 409


def test_staff_dismiss_duplicates_in_bulk_and_the_notice_can_close(notice, anon, staff, client_for, applicant):
    url = f"/api/notices/{notice.pk}/objections/"
    ids = [
        anon.post(url, objection_body(notice), format="json", REMOTE_ADDR=f"203.0.113.{i}").json()["id"]
        for i in range(4)
    ]
    assert client_for(applicant).post("/api/objections/dismiss/", {}, format="json").status_code == 403
    api = client_for(staff)
    assert list(api.post("/api/objections/dismiss/", {"objections": ids[1:]}, format="json").json()) == ["resolution"]
    unknown = api.post("/api/objections/dismiss/", {"objections": [987654], "resolution": "重复"}, format="json")
    assert unknown.status_code == 400 and "objections" in unknown.json()
    done = api.post("/api/objections/dismiss/", {"objections": ids[1:], "resolution": "与第一条重复"}, format="json")
    assert done.status_code == 200
    assert sorted(done.json()["dismissed"]) == sorted(ids[1:])
    assert set(Objection.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {"dismissed"}
    assert AuditEntry.objects.filter(action="objection.resolve", target_id__in=ids[1:]).count() == 3
    # All or nothing: one already resolved refuses the lot.
    again = api.post("/api/objections/dismiss/", {"objections": ids, "resolution": "重复"}, format="json")
    assert again.status_code == 409
    assert Objection.objects.get(pk=ids[0]).status == ObjectionStatus.OPEN
    steps.objection_resolve(objection=Objection.objects.get(pk=ids[0]), actor=staff, upheld=False, resolution="不成立")
    notice_window_passed(notice)
    assert api.post(f"/api/notices/{notice.pk}/close/").status_code == 200


def test_objections_page_dismisses_the_ticked_ones(notice, anon, staff):
    url = f"/api/notices/{notice.pk}/objections/"
    ids = [
        anon.post(url, objection_body(notice), format="json", REMOTE_ADDR=f"203.0.113.{i}").json()["id"]
        for i in range(3)
    ]
    page = Client()
    page.force_login(staff)
    listing = page.get("/objections/").content.decode()
    assert 'form="bulk-dismiss"' in listing
    response = page.post("/objections/dismiss/", {"objections": ids[:2], "resolution": "重复异议"})
    assert response.status_code == 302
    assert list(Objection.objects.order_by("pk").values_list("status", flat=True)) == [
        "dismissed",
        "dismissed",
        "open",
    ]
    assert page.post("/objections/dismiss/", {"objections": [], "resolution": "x"}).status_code == 200

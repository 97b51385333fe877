"""A progress award round end to end through the REST API (API.md, "Awards"), and who may
see what: nominators their own, experts their assignments only, nothing named on a blind round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.models import Disbursement, Notice
from reviews.models import Assignment
from tests.conftest import notice_window_passed

from ..api.conftest import ok
from ..conftest import CRITERIA, make_expert
from .conftest import LEVELS, NOMINATION, SCORES

pytestmark = pytest.mark.django_db


def round_body(**overrides):
    now = timezone.now()
    body = {
        "title": "2016年度科学技术进步奖",
        "year": 2016,
        "opens_at": (now - dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(),
        "levels": LEVELS,
        "criteria": CRITERIA,
        "reviewers_per_item": 2,
        "min_reviews": 1,
        "scoring_rule": "mean",
        "blind": True,
        "notice_days": 7,
    }
    body.update(overrides)
    return body


def test_award_round_runs_end_to_end_through_the_api(
    client_for, anon, staff, nominator, panel, finance_officer, finance_head, org_expert
):
    as_staff, as_nominator, as_panel = client_for(staff), client_for(nominator), client_for(panel)
    as_officer, as_head = client_for(finance_officer), client_for(finance_head)
    experts = [make_expert(f"award_expert{i}", org_expert) for i in range(2)]

    levels = [{**LEVELS[0], "quota": 1}, *LEVELS[1:]]
    round_id = ok(as_staff.post("/api/award-rounds/", round_body(levels=levels), format="json"), 201)["id"]
    detail = ok(as_nominator.get(f"/api/award-rounds/{round_id}/"))
    assert detail["budget_yuan"] == "410000.00"  # 1 × 30,000 + 9 × 20,000 + 20 × 10,000
    assert [lv["bonus_yuan"] for lv in detail["levels"]] == ["30000.00", "20000.00", "10000.00"]
    assert ok(as_nominator.get("/api/award-rounds/"))["count"] == 1

    # Four nominations: drafts, an attachment, submitted; one returned and resubmitted.
    ids = []
    for i in range(4):
        created = ok(
            as_nominator.post(
                "/api/nominations/", {"round": round_id, **NOMINATION, "title": f"成果{i}"}, format="json"
            ),
            201,
        )
        assert created["status"] == "draft"
        ids.append(created["id"])
    pdf = SimpleUploadedFile("推荐书.pdf", b"%PDF-1.4 nomination", content_type="application/pdf")
    ok(as_nominator.post(f"/api/nominations/{ids[0]}/attachments/", {"file": pdf}, format="multipart"), 201)
    for pk in ids:
        assert ok(as_nominator.post(f"/api/nominations/{pk}/submit/")) == {"status": "submitted"}
    body = {"decision": "return", "comment": "补充完成人贡献说明"}
    assert ok(as_staff.post(f"/api/nominations/{ids[0]}/formal-review/", body, format="json"))["status"] == "returned"
    patched = ok(
        as_nominator.patch(f"/api/nominations/{ids[0]}/", {"persons": ["王建国", "李红", "陈明"]}, format="json")
    )
    assert [p["name"] for p in patched["persons"]] == ["王建国", "李红", "陈明"]
    ok(as_nominator.post(f"/api/nominations/{ids[0]}/submit/"))
    for pk in ids:
        ok(as_staff.post(f"/api/nominations/{pk}/formal-review/", {"decision": "accept"}, format="json"))

    # The same draw as for plan calls, and the experts score.
    drawn = ok(as_staff.post(f"/api/award-rounds/{round_id}/draw/", {"seed": "2016-award"}, format="json"))
    assert len(drawn["assignments"]) == 8
    for expert in experts:
        as_expert = client_for(expert.user)
        queue = ok(as_expert.get("/api/assignments/"))["results"]
        assert {row["item_type"] for row in queue} == {"nomination"}
        assert all("organisation" not in row for row in queue)  # blind round
        for row in queue:
            ok(as_expert.post(f"/api/assignments/{row['id']}/accept/", {"no_conflict": True}, format="json"))
            scores = {**SCORES, "innovation": 60 + 10 * ids.index(row["item"])}
            review = {"scores": scores, "comment": "好", "recommendation": "support"}
            ok(as_expert.post(f"/api/assignments/{row['id']}/review/", review, format="json"), 201)

    ranking = ok(as_panel.get(f"/api/award-rounds/{round_id}/ranking/"))
    assert [row["item"] for row in ranking] == list(reversed(ids))
    assert {"item", "rank", "score", "reviews", "spread", "flagged"} <= set(ranking[0])

    # The committee decides; level 1 has one place, so a second level-1 award is a 409.
    best, second, third, last = (row["item"] for row in ranking)
    decided = ok(as_panel.post(f"/api/nominations/{best}/decision/", {"level": 1, "comment": "领先"}, format="json"))
    assert decided == {"id": best, "status": "awarded", "level": 1, "approved_yuan": "30000.00"}
    assert as_panel.post(f"/api/nominations/{second}/decision/", {"level": 1}, format="json").status_code == 409
    ok(as_panel.post(f"/api/nominations/{second}/decision/", {"level": 2}, format="json"))
    ok(as_panel.post(f"/api/nominations/{third}/decision/", {"level": 3}, format="json"))
    assert as_panel.post(f"/api/nominations/{third}/decision/", {"level": 3}, format="json").status_code == 409
    assert as_panel.post(f"/api/nominations/{last}/decision/", {"level": 5}, format="json").status_code == 400
    assert as_staff.post(f"/api/nominations/{last}/decision/", {"level": None}, format="json").status_code == 403
    ok(as_panel.post(f"/api/nominations/{last}/decision/", {"level": None, "comment": "不授奖"}, format="json"))

    # Notice, an objection dismissed, close: the awards are granted and each bonus requested.
    notice = ok(as_staff.post(f"/api/award-rounds/{round_id}/notice/"), 201)
    public = ok(anon.get(f"/api/notices/{notice['id']}/"))
    # The notice names the awards; the nomination passed over is not published (issue 14).
    assert {item["item"] for item in public["items"]} == set(ids) - {last}
    bonuses_on_notice = {item["item"]: item["approved_yuan"] for item in public["items"]}
    assert bonuses_on_notice[best] == "30000.00"
    assert last not in bonuses_on_notice
    objection = ok(
        anon.post(
            f"/api/notices/{notice['id']}/objections/",
            {"item": best, "text": "排名有疑问", "name": "张三", "contact": "13800000000"},
            format="json",
        ),
        201,
    )
    assert as_staff.post(f"/api/notices/{notice['id']}/close/").status_code == 409
    ok(
        as_staff.post(
            f"/api/objections/{objection['id']}/resolve/", {"upheld": False, "resolution": "经核实无误"}, format="json"
        )
    )
    notice_window_passed(Notice.objects.get(pk=notice["id"]))
    ok(as_staff.post(f"/api/notices/{notice['id']}/close/"))
    assert ok(as_nominator.get(f"/api/nominations/{best}/"))["status"] == "granted"

    payments = ok(as_officer.get("/api/disbursements/"))["results"]
    assert sorted((p["item"], p["amount_yuan"]) for p in payments) == sorted(
        [(best, "30000.00"), (second, "20000.00"), (third, "10000.00")]
    )
    assert {p["item_type"] for p in payments} == {"nomination"}
    for payment in payments:
        ok(as_officer.post(f"/api/disbursements/{payment['id']}/approve/"))
        assert as_officer.post(f"/api/disbursements/{payment['id']}/approve/").status_code == 403
        ok(as_head.post(f"/api/disbursements/{payment['id']}/approve/"))
        ok(
            as_officer.post(
                f"/api/disbursements/{payment['id']}/pay/", {"voucher": f"JL-{payment['id']}"}, format="json"
            )
        )
    assert {ok(as_nominator.get(f"/api/nominations/{pk}/"))["status"] for pk in (best, second, third)} == {"closed"}

    report = ok(as_staff.get(f"/api/award-rounds/{round_id}/report/"))
    assert [(lv["level"], lv["count"], lv["bonus_yuan"], lv["total_yuan"]) for lv in report["levels"]] == [
        (1, 1, "30000.00", "30000.00"),
        (2, 1, "20000.00", "20000.00"),
        (3, 1, "10000.00", "10000.00"),
    ]
    requested = sum(d.amount_yuan for d in Disbursement.objects.filter(application__call_id=round_id))
    assert Decimal(report["total_yuan"]) == requested == Decimal("60000.00")
    assert report["total_wan"] == "6.0000"
    assert report["problems"] == []
    xlsx = as_staff.get(f"/api/award-rounds/{round_id}/report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_round_creation_refuses_bad_input_with_the_field(client_for, staff, nominator):
    as_staff = client_for(staff)
    bad_levels = round_body(levels=[{"level": 1, "quota": 3, "bonus_yuan": "-1"}])
    assert "levels" in as_staff.post("/api/award-rounds/", bad_levels, format="json").json()
    late = round_body(closes_at=(timezone.now() - dt.timedelta(days=5)).isoformat())
    assert "closes_at" in as_staff.post("/api/award-rounds/", late, format="json").json()
    assert client_for(nominator).post("/api/award-rounds/", round_body(), format="json").status_code == 403


@pytest.fixture
def round_id(client_for, staff):
    return ok(client_for(staff).post("/api/award-rounds/", round_body(), format="json"), 201)["id"]


def test_nominator_sees_only_their_own_nominations(client_for, nominator, applicant, round_id):
    mine = ok(client_for(nominator).post("/api/nominations/", {"round": round_id, **NOMINATION}, format="json"), 201)
    other = client_for(applicant)
    ok(other.post("/api/nominations/", {"round": round_id, **NOMINATION, "title": "别人的成果"}, format="json"), 201)
    assert other.get(f"/api/nominations/{mine['id']}/").status_code == 404
    assert other.post(f"/api/nominations/{mine['id']}/submit/").status_code == 404
    assert [n["title"] for n in ok(other.get("/api/nominations/"))["results"]] == ["别人的成果"]
    # Nominations are not plan applications: the plan endpoints do not take them as such.
    assert (
        client_for(nominator).patch(f"/api/applications/{mine['id']}/", {"title": "x"}, format="json").status_code
        == 409
    )


def test_a_plan_call_is_not_an_award_round(client_for, staff, call):
    assert client_for(staff).get(f"/api/award-rounds/{call.pk}/").status_code == 404
    assert client_for(staff).post(f"/api/award-rounds/{call.pk}/draw/", {}, format="json").status_code == 404


def test_expert_sees_only_own_assignments_and_nothing_named_on_a_blind_round(
    client_for, staff, nominator, org_expert, round_id
):
    as_staff, as_nominator = client_for(staff), client_for(nominator)
    pk = ok(as_nominator.post("/api/nominations/", {"round": round_id, **NOMINATION}, format="json"), 201)["id"]
    ok(as_nominator.post(f"/api/nominations/{pk}/submit/"))
    ok(as_staff.post(f"/api/nominations/{pk}/formal-review/", {"decision": "accept"}, format="json"))
    reviewer, bystander = make_expert("reviewer", org_expert), make_expert("bystander", org_expert)
    ok(as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": reviewer.pk}, format="json"), 201)
    as_reviewer, as_bystander = client_for(reviewer.user), client_for(bystander.user)
    queue = ok(as_reviewer.get("/api/assignments/"))["results"]
    assert [row["item"] for row in queue] == [pk]
    text = as_reviewer.get("/api/assignments/").content.decode()
    for name in ("永嘉县东蒙集团有限公司", "温州大学", "王建国", "李红"):
        assert name not in text
    assert as_reviewer.get(f"/api/nominations/{pk}/").status_code == 404
    assert ok(as_bystander.get("/api/assignments/"))["count"] == 0
    assignment = Assignment.objects.get(application_id=pk)
    assert (
        as_bystander.post(f"/api/assignments/{assignment.pk}/accept/", {"no_conflict": True}, format="json").status_code
        == 404
    )
    assert as_reviewer.get(f"/api/award-rounds/{round_id}/ranking/").status_code == 403

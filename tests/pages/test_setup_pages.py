"""Staff set up the year through the pages: programmes, calls and award rounds — create, edit
until they open, copy last year's — with the API's rules and errors on the right fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Call, Programme
from audit.models import AuditEntry
from awards.models import AwardLevel, AwardRound
from tests.conftest import CRITERIA

from .test_plan_project_pages import client_for

pytestmark = pytest.mark.django_db


def _local(days: int) -> str:
    """A datetime-local value (minutes, the bureau's time zone) ``days`` from now."""
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def rows(prefix: str, items: list[dict[str, Any]], extra: int = 0) -> dict[str, Any]:
    """A formset's POST data: the management form and one set of inputs per row."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(items) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{i}-{key}"] = str(value)
    return data


CALL_POST = {
    "title": "2027年度第一批科技计划项目",
    "year": "2027",
    "batch": "1",
    "opens_at": _local(10),
    "closes_at": _local(40),
    "budget_yuan": "3,000,000.00",
    "max_request_yuan": "500,000",
    "tranches": "60, 40",
    "reviewers_per_item": "5",
    "min_reviews": "3",
    "review_days": "14",
    "scoring_rule": "trimmed_mean",
    "spread_threshold": "20",
    "blind": "on",
    "notice_days": "7",
    "required_documents": "proposal: 申报书\nlicence：营业执照\r\n\naccounts: 财务报表",
    **rows("criteria", [{**c, "guidance": "看技术路线"} for c in CRITERIA], extra=2),
}

LEVELS = [
    {"level": 1, "quota": 3, "bonus_yuan": "30,000"},
    {"level": 2, "quota": 9, "bonus_yuan": "20000.00"},
]
ROUND_POST = {
    "title": "2027年度科学技术进步奖",
    "year": "2027",
    "opens_at": _local(10),
    "closes_at": _local(40),
    "reviewers_per_item": "3",
    "min_reviews": "2",
    "review_days": "14",
    "scoring_rule": "mean",
    "spread_threshold": "20",
    "notice_days": "7",
    **rows("levels", LEVELS, extra=1),
    **rows("criteria", CRITERIA, extra=1),
}


@pytest.fixture
def future_call(programme: Programme, staff: Any) -> Call:
    client = client_for(staff)
    response = client.post(reverse("call-create"), {**CALL_POST, "programme": programme.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Call.objects.get(title=CALL_POST["title"])


# --- programmes -------------------------------------------------------------------------------


def test_staff_add_a_programme_and_a_taken_code_is_refused_on_its_field(staff: Any, programme: Programme):
    client = client_for(staff)
    response = client.post(reverse("programmes"), {"code": "rural", "name": "农业农村项目"})
    assert response.status_code == 302
    assert Programme.objects.filter(code="rural", name="农业农村项目").exists()
    page = client.post(reverse("programmes"), {"code": programme.code, "name": "重复"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["form"].errors["code"] == ["A programme with this code exists."]
    assert "农业农村项目" in client.get(reverse("programmes")).content.decode()


def test_setup_pages_do_not_exist_for_anyone_but_staff(applicant: Any, panel: Any, call: Call):
    for user in (applicant, panel):
        client = client_for(user)
        for url in (reverse("programmes"), reverse("call-create"), reverse("call-copy", args=[call.pk])):
            assert client.get(url).status_code == 404


# --- calls ------------------------------------------------------------------------------------


def test_staff_create_a_call_with_every_term_through_the_page(future_call: Call, programme: Programme):
    call = future_call
    assert call.programme == programme and call.year == 2027 and call.batch == 1
    assert call.budget_yuan == Decimal("3000000.00") and call.max_request_yuan == Decimal("500000.00")
    assert call.tranches == [60, 40] and call.scoring_rule == "trimmed_mean" and call.blind
    assert (call.reviewers_per_item, call.min_reviews, call.notice_days) == (5, 3, 7)
    criteria = list(call.criteria.order_by("position"))
    assert [c.code for c in criteria] == [c["code"] for c in CRITERIA]
    assert criteria[0].weight == Decimal("30") and criteria[0].guidance == "看技术路线"
    assert AuditEntry.objects.filter(action="call.create").count() == 1
    assert call.required_documents == [
        {"code": "proposal", "name": "申报书"},
        {"code": "licence", "name": "营业执照"},
        {"code": "accounts", "name": "财务报表"},
    ]


@pytest.mark.parametrize(
    ("text", "field_error"),
    [("营业执照", "code: name"), ("licence: 营业执照\nlicence: 执照副本", "given twice")],
)
def test_required_documents_that_cannot_be_read_are_refused_on_their_field(
    staff: Any, programme: Programme, text: str, field_error: str
):
    client = client_for(staff)
    page = client.post(
        reverse("call-create"),
        {**CALL_POST, "programme": programme.pk, "required_documents": text},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    assert field_error in " ".join(page.context["form"].errors["required_documents"])
    assert not Call.objects.filter(title=CALL_POST["title"]).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_call_errors_land_on_their_fields(staff: Any, programme: Programme, language: str):
    client = client_for(staff)
    bad = {
        **CALL_POST,
        "programme": programme.pk,
        "tranches": "60, 30",
        "max_request_yuan": "5,000,000",
        "closes_at": _local(5),
        "budget_yuan": "三百万",
    }
    page = client.post(reverse("call-create"), bad, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert set(errors) == {"budget_yuan"}  # the form's own check comes first…
    bad["budget_yuan"] = "3,000,000"
    page = client.post(reverse("call-create"), bad, HTTP_ACCEPT_LANGUAGE=language)
    errors = page.context["form"].errors
    # …then the service's, every one of them on its own field at once.
    assert {"closes_at", "max_request_yuan", "tranches"} <= set(errors)
    assert not Call.objects.exists()


def test_criteria_errors_show_above_the_table(staff: Any, programme: Programme):
    client = client_for(staff)
    twice = [CRITERIA[0], CRITERIA[0]]
    page = client.post(
        reverse("call-create"),
        {**CALL_POST, "programme": programme.pk, **rows("criteria", twice)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    assert page.context["form"].formsets["criteria"].non_form_errors() == ["Criterion codes must be unique: innovation"]
    bad_weight = [{**CRITERIA[0], "weight": "-1"}]
    page = client.post(reverse("call-create"), {**CALL_POST, "programme": programme.pk, **rows("criteria", bad_weight)})
    assert page.context["form"].formsets["criteria"].forms[0].errors["weight"]
    assert not Call.objects.exists()


def test_staff_edit_a_call_until_it_opens(future_call: Call, staff: Any, programme: Programme):
    client = client_for(staff)
    url = reverse("call-edit", args=[future_call.pk])
    assert client.get(url).status_code == 200
    changed = {
        **CALL_POST,
        "programme": programme.pk,
        "budget_yuan": "2,500,000.00",
        "tranches": "100",
        **rows("criteria", CRITERIA[:2]),
    }
    response = client.post(url, changed)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["form"].formsets["criteria"].errors,
        response.context["form"].formsets["criteria"].non_form_errors(),
    )
    future_call.refresh_from_db()
    assert future_call.budget_yuan == Decimal("2500000.00") and future_call.tranches == [100]
    assert future_call.criteria.count() == 2
    entry = AuditEntry.objects.get(action="call.update")
    assert "budget_yuan" in entry.data["fields"]


def test_an_open_call_is_read_only_with_the_reason_and_a_change_is_409(call: Call, staff: Any, programme: Programme):
    client = client_for(staff)
    url = reverse("call-edit", args=[call.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "its terms can no longer change" in html
    assert 'name="title"' in html and "disabled" in html
    response = client.post(url, {**CALL_POST, "programme": programme.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "its terms can no longer change" in response.content.decode()
    call.refresh_from_db()
    assert call.title == "2016年度第一批科技计划项目"


def test_copy_a_call_prefills_next_year_without_dates(call: Call, staff: Any):
    client = client_for(staff)
    page = client.get(reverse("call-copy", args=[call.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["year"].value() == 2017
    assert form["title"].value() == "2017年度第一批科技计划项目"
    assert form["opens_at"].value() is None and form["closes_at"].value() is None
    assert form["programme"].value() == call.programme_id
    assert form["budget_yuan"].value() == call.budget_yuan
    assert [f["code"].value() for f in form.formsets["criteria"].forms if f["code"].value()] == [
        c["code"] for c in CRITERIA
    ]
    # The copy posts to the create page: saving it makes a new call, the old one unchanged.
    assert f'action="{reverse("call-create")}"' in page.content.decode()


def test_staff_home_and_call_page_link_to_setting_up(call: Call, staff: Any):
    client = client_for(staff)
    home = client.get("/").content.decode()
    for url in (reverse("call-create"), reverse("programmes"), reverse("call-copy", args=[call.pk])):
        assert url in home
    detail = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert reverse("call-edit", args=[call.pk]) in detail


# --- award rounds -----------------------------------------------------------------------------


def test_staff_create_an_award_round_with_levels(staff: Any):
    client = client_for(staff)
    response = client.post(reverse("award-round-create"), ROUND_POST)
    assert response.status_code == 302, response.content.decode()[:3000]
    award_round = AwardRound.objects.get(title=ROUND_POST["title"])
    levels = list(AwardLevel.objects.filter(round=award_round).values_list("level", "quota", "bonus_yuan"))
    assert levels == [(1, 3, Decimal("30000.00")), (2, 9, Decimal("20000.00"))]
    assert award_round.budget_yuan == Decimal("270000.00")
    assert award_round.criteria.count() == len(CRITERIA)


def test_round_level_errors_show_above_the_levels(staff: Any):
    client = client_for(staff)
    twice = [LEVELS[0], LEVELS[0]]
    page = client.post(
        reverse("award-round-create"), {**ROUND_POST, **rows("levels", twice)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert page.context["form"].formsets["levels"].non_form_errors() == ["Level 1 is given twice."]
    assert not AwardRound.objects.exists()


def test_staff_edit_a_round_until_it_opens_and_copy_it(staff: Any):
    client = client_for(staff)
    client.post(reverse("award-round-create"), ROUND_POST)
    award_round = AwardRound.objects.get()
    url = reverse("award-round-edit", args=[award_round.pk])
    changed = {**ROUND_POST, **rows("levels", [{"level": 1, "quota": 5, "bonus_yuan": "50,000.00"}])}
    assert client.post(url, changed).status_code == 302
    assert list(AwardLevel.objects.filter(round=award_round).values_list("level", "quota", "bonus_yuan")) == [
        (1, 5, Decimal("50000.00"))
    ]
    copy = client.get(reverse("award-round-copy", args=[award_round.pk])).context["form"]
    assert copy["year"].value() == 2028 and copy["opens_at"].value() is None
    assert [f["quota"].value() for f in copy.formsets["levels"].forms if f["quota"].value() is not None] == [5]


def test_an_open_round_is_read_only_and_a_change_is_409(staff: Any):
    client = client_for(staff)
    client.post(reverse("award-round-create"), {**ROUND_POST, "opens_at": _local(-1)})
    award_round = AwardRound.objects.get()
    url = reverse("award-round-edit", args=[award_round.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, ROUND_POST).status_code == 409
    award_round.refresh_from_db()
    assert award_round.title == ROUND_POST["title"]

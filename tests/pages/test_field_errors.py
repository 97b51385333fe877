"""Errors name their field, in the reader's language, all at once: the submit refusal lists
what is missing, a score form shows every mistake together, money is read as people write
it (with 元 and 万元 beside it), and a bad credit code is explained without English."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application
from applications.services import application_create, parse_money
from awards.services import nomination_create
from reviews import services as review_services
from reviews.models import Assignment
from tests.conftest import api_key, make_code
from workflow import steps

from .test_form_roundtrip import future_round
from .test_plan_project_pages import DRAFT, client_for, messages_of

pytestmark = pytest.mark.django_db


def _empty_draft(call: Any, applicant: Any) -> Application:
    return application_create(
        actor=applicant, call=call, title="阀门", field="manufacturing", summary="", requested_yuan=Decimal("1000")
    )


# --- submit names the missing fields ---------------------------------------------------------


@pytest.mark.parametrize(("language", "label"), [("en", "Project summary"), ("zh-hans", "项目简介")])
def test_submit_refusal_names_each_missing_field(call: Any, applicant: Any, language: str, label: str):
    application = _empty_draft(call, applicant)
    client = client_for(applicant)
    response = client.post(
        reverse("application-submit", args=[application.pk]),
        {"pledge": "on"},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    shown = " ".join(messages_of(response))
    assert label in shown
    application.refresh_from_db()
    assert application.status == "draft"


def test_api_submit_refusal_is_409_listing_the_fields(call: Any, applicant: Any):
    application = _empty_draft(call, applicant)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(applicant)}")
    response = api.post(
        f"/api/applications/{application.pk}/submit/", {"pledge": True}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Fill in before submitting: Project summary."}


# --- a score form shows every error at once --------------------------------------------------


@pytest.fixture
def accepted(call: Any, applicant: Any, staff: Any, expert: Any) -> Assignment:
    application = application_create(actor=applicant, call=call, **{**DRAFT, "requested_yuan": Decimal("300000")})
    steps.application_submit(application=application, actor=applicant)
    steps.formal_review(application=application, actor=staff, decision="accept")
    assignment = steps.assignment_add(application=application, expert=expert, actor=staff)
    steps.expert_review_start(application=application, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    return assignment


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_review_form_shows_range_and_recommendation_errors_together(accepted: Assignment, expert: Any, language: str):
    scores = {"scores_innovation": "180", "scores_feasibility": "90", "scores_team": "-1", "scores_benefit": "85"}
    page = client_for(expert.user).post(
        reverse("review-submit", args=[accepted.pk]), {**scores, "comment": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert page.status_code == 200
    errors = page.context["forms"]["review"].errors
    assert {"scores_innovation", "scores_team", "recommendation", "comment"} <= set(errors)
    assert "scores_feasibility" not in errors
    accepted.refresh_from_db()
    assert accepted.status == "accepted"


def test_review_service_reports_scores_and_recommendation_together(accepted: Assignment, expert: Any):
    with pytest.raises(ValidationError) as caught:
        review_services.review_submit(
            assignment=accepted, actor=expert.user, scores={"innovation": 500}, comment="", recommendation="maybe"
        )
    keys = set(caught.value.message_dict)
    assert {"scores.innovation", "scores.team", "recommendation", "comment"} <= keys


# --- money as people write it ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["300,000", "300000.00", "300,000.00", "300000", "300，000.00", " 300 000 "])
def test_money_inputs_accept_thousands_separators(call: Any, applicant: Any, typed: str):
    client = client_for(applicant)
    response = client.post(
        reverse("application-create", args=[call.pk]), {**DRAFT, "requested_yuan": typed, "self_funding_yuan": ""}
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.requested_yuan == Decimal("300000.00")
    assert application.self_funding_yuan == Decimal("0")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_errors_stay_on_the_field_and_the_unit_is_shown(call: Any, applicant: Any, language: str):
    client = client_for(applicant)
    page = client.post(
        reverse("application-create", args=[call.pk]),
        {**DRAFT, "requested_yuan": "三十万", "self_funding_yuan": "1,234,567.89"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.errors) == ["requested_yuan"]
    html = page.content.decode()
    unit = {"en": "yuan", "zh-hans": "元"}[language]
    assert f'<span class="unit">{unit}</span>' in html
    assert "123.4568" in html  # 1,234,567.89 yuan in 万元, beside the field
    assert not Application.objects.exists()


# --- the credit-code error, all in the reader's language ----------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("123", "it must have 18 characters"),
        (make_code("91330324MA2AAAAA1")[:-1] + "X", "the last character (the check digit) does not match the others"),
        ("91330324MA2AAAAAIO", "it may only contain digits and capital letters"),
    ],
)
def test_credit_code_error_gives_the_reason_in_english(db: Any, code: str, reason: str):
    page = _register(code, "en")
    message = " ".join(page.context["form"].errors["credit_code"])
    assert reason in message


def test_credit_code_error_has_no_english_in_chinese(db: Any):
    page = _register("123", "zh-hans")
    message = " ".join(page.context["form"].errors["credit_code"])
    # python-stdnum's own words ("The number has an invalid length.") never reach the reader.
    assert "The number" not in message and "invalid length" not in message
    assert "统一社会信用代码" in message


def _register(code: str, language: str) -> Any:
    response = Client().post(
        reverse("register"),
        {
            "username": "newco",
            "password": "Xinqiye-2026-pw",
            "email": "newco@example.org",
            "organisation_name": "永嘉新企业有限公司",
            "credit_code": code,
            "kind": "enterprise",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    return response


def test_a_comma_is_read_only_between_thousands(call: Any, applicant: Any):
    """1,5 is not fifteen yuan: separators count only between groups of three digits."""
    page = client_for(applicant).post(
        reverse("application-create", args=[call.pk]), {**DRAFT, "requested_yuan": "1,5"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.context["form"].errors["requested_yuan"] == ["Enter an amount in yuan, such as 150000.00."]


@pytest.mark.parametrize(("typed", "amount"), [("1,000,000", "1000000.00"), ("250，000.50", "250000.50")])
def test_every_money_input_reads_separators_the_same(typed: str, amount: str):
    """The service's parser (the what-if budget and cuts, anything sent as text) reads them too."""
    assert parse_money(typed, "budget") == Decimal(amount)
    with pytest.raises(ValidationError):
        parse_money("1,5", "budget")


@pytest.mark.parametrize(("language", "label"), [("en", "Summary of the achievement"), ("zh-hans", "成果简介")])
def test_nomination_submit_refusal_names_the_nominations_own_fields(
    staff: Any, nominator: Any, language: str, label: str
):
    award_round = future_round(staff, days=-1)
    nomination = nomination_create(
        actor=nominator,
        award_round=award_round,
        title="瓯江流域水质在线监测",
        summary="",
        field="manufacturing",
        units=["永嘉县东蒙集团有限公司"],
        persons=["王建国"],
    )
    response = client_for(nominator).post(
        reverse("award-nomination-submit", args=[nomination.pk]), HTTP_ACCEPT_LANGUAGE=language, follow=True
    )
    assert label in " ".join(messages_of(response))
    nomination.refresh_from_db()
    assert nomination.status == "draft"

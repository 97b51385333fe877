"""Every edit form gives back what it was given, in both languages: open it, send it back
unchanged (as a browser would: values an input cannot read are sent empty) and nothing in
the database changes — money, dates, selects, multi-selects, checkboxes, rows of criteria
and levels. tests/browser/test_form_roundtrip.py does the same in Chromium."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Call, Field
from applications.services import application_create
from awards.services import award_round_create, nomination_create
from notifications.kinds import KINDS
from notifications.services import digest_opted_in, email_kinds_of, email_preferences_save
from reviews.models import Expert
from tests.conftest import CRITERIA
from workflow import steps

from .formdata import form_data
from .test_plan_project_pages import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]
LEVELS = [
    {"level": 1, "quota": 2, "bonus_yuan": "30000.00"},
    {"level": 3, "quota": 8, "bonus_yuan": "12345.67"},
]


def _minutes(days: int) -> dt.datetime:
    """A time on a whole minute: what a datetime-local input holds."""
    return (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def draft(call: Call, applicant: Any) -> Application:
    return application_create(
        actor=applicant,
        call=call,
        title="高效节能阀门研发",
        summary="研发新一代高效节能阀门。\n第二段。",
        field="manufacturing",
        requested_yuan=Decimal("300000.50"),
        self_funding_yuan=Decimal("1234567.89"),
        start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2028, 12, 31),
    )


def future_call(programme: Any, staff: Any) -> Call:
    return steps.call_setup(
        actor=staff,
        programme=programme,
        title="2027年度第一批科技计划项目",
        year=2027,
        batch=2,
        opens_at=_minutes(10),
        closes_at=_minutes(40),
        budget_yuan=Decimal("3000000.00"),
        max_request_yuan=Decimal("456789.10"),
        reviewers_per_item=4,
        min_reviews=2,
        review_days=21,
        scoring_rule="zscore",
        spread_threshold=Decimal("15.50"),
        blind=True,
        notice_days=10,
        tranches=[70, 30],
        criteria=[{**c, "guidance": "第一行\n第二行"} for c in CRITERIA],
    )


def future_round(staff: Any, *, days: int = 10, title: str = "2027年度科学技术进步奖") -> Any:
    return award_round_create(
        actor=staff,
        title=title,
        year=2027,
        opens_at=_minutes(days),
        closes_at=_minutes(days + 30),
        levels=LEVELS,
        criteria=CRITERIA,
        reviewers_per_item=3,
        min_reviews=2,
        scoring_rule="trimmed_mean",
        blind=False,
        notice_days=7,
    )


def snapshot(obj: Any) -> dict[str, Any]:
    if isinstance(obj, User):
        # A person's notification settings: what reaches them by e-mail, and the digest.
        return {"email": sorted(email_kinds_of(obj)), "digest": digest_opted_in(obj)}
    obj = type(obj).objects.get(pk=obj.pk)
    values = model_to_dict(obj, exclude=["updated_at"])
    if isinstance(obj, Call):
        values["criteria"] = list(obj.criteria.order_by("position").values("code", "label", "weight", "max_score"))
        values["guidance"] = list(obj.criteria.order_by("position").values_list("guidance", flat=True))
        values["levels"] = list(obj.levels.order_by("level").values_list("level", "quota", "bonus_yuan"))
    if isinstance(obj, Expert):
        values["organisation"] = model_to_dict(obj.organisation) if obj.organisation else None
    return values


def roundtrip(client: Any, url: str, language: str, action: str | None = None) -> Any:
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    data = form_data(page.content.decode(), action or url)
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    form = response.context["form"] if response.status_code == 200 and response.context else None
    errors = form and (
        form.errors,
        {k: (f.errors, f.non_form_errors()) for k, f in getattr(form, "formsets", {}).items()},
    )
    assert response.status_code == 302, errors
    return data


#: Every edit page of an existing object (tests/browser/test_form_roundtrip.py opens the same).
EDIT_PAGES = ["application", "expert", "call", "award_round", "nomination", "field", "preferences"]


def build_edits(
    *, call: Call, programme: Any, applicant: Any, staff: Any, nominator: Any, expert: Expert
) -> dict[str, tuple[Any, Any, str]]:
    """Each edit page with the object it edits and who edits it: name → (user, object, url)."""
    application = draft(call, applicant)
    open_round = future_round(staff, days=-1, title="2026年度科学技术进步奖")
    nomination = nomination_create(
        actor=nominator,
        award_round=open_round,
        title="瓯江流域水质在线监测",
        summary="建立瓯江流域水质在线监测网络。",
        field="manufacturing",
        units=["永嘉县东蒙集团有限公司", "浙江理工大学"],
        persons=[{"name": "王建国", "organisation": "永嘉县东蒙集团有限公司", "role": "总体设计"}, {"name": "李红"}],
    )
    plan = future_call(programme, staff)
    award_round = future_round(staff)
    field = Field.objects.get(code="materials")
    Field.objects.filter(pk=field.pk).update(order=7, name_en="New materials & chemicals")
    # Two kinds of e-mail turned off and the digest on: a form that drops a tick shows here.
    kinds = sorted(KINDS)
    email_preferences_save(user=staff, email_kinds=kinds[2:], digest=True)
    return {
        "application": (applicant, application, reverse("application-edit", args=[application.pk])),
        "expert": (staff, expert, reverse("pool-expert", args=[expert.pk])),
        "call": (staff, plan, reverse("call-edit", args=[plan.pk])),
        "award_round": (staff, award_round, reverse("award-round-edit", args=[award_round.pk])),
        "nomination": (nominator, nomination, reverse("award-nomination-edit", args=[nomination.pk])),
        "field": (staff, field, reverse("field-edit", args=[field.pk])),
        "preferences": (staff, staff, reverse("inbox-preferences")),
    }


@pytest.fixture
def edits(call: Call, programme: Any, applicant: Any, staff: Any, nominator: Any, expert: Expert) -> dict[str, Any]:
    return build_edits(
        call=call, programme=programme, applicant=applicant, staff=staff, nominator=nominator, expert=expert
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("which", EDIT_PAGES)
def test_an_edit_form_sent_back_unchanged_changes_nothing(edits: dict[str, Any], which: str, language: str):
    user, obj, url = edits[which]
    before = snapshot(obj)
    roundtrip(client_for(user), url, language)
    assert snapshot(obj) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_render_in_the_inputs_own_format_in_every_language(
    call: Call, applicant: Any, programme: Any, staff: Any, language: str
):
    application = draft(call, applicant)
    html = client_for(applicant).get(reverse("application-edit", args=[application.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert 'type="date" name="start_date" value="2027-03-01"' in html.content.decode()
    plan = future_call(programme, staff)
    page = client_for(staff).get(reverse("call-edit", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE=language)
    opens = timezone.localtime(plan.opens_at).strftime("%Y-%m-%dT%H:%M")
    assert f'type="datetime-local" name="opens_at" value="{opens}"' in page.content.decode()


def test_the_form_reader_drops_what_a_browser_cannot_read():
    """The test's own browser stand-in: a localised date is sent empty, as Chromium does."""
    html = (
        '<form action="/x/"><input type="date" name="d" value="2027/03/01">'
        '<input type="date" name="e" value="2027-03-01"><input type="checkbox" name="c">'
        '<select name="s" multiple><option value="a" selected>A</option><option value="b" selected>B</option>'
        "</select><textarea name=t>\nline\nnext</textarea></form>"
    )
    assert form_data(html, "/x/") == {"d": "", "e": "2027-03-01", "s": ["a", "b"], "t": "line\r\nnext"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_copied_call_saved_with_new_dates_keeps_every_term(programme: Any, staff: Any, language: str):
    """Copy last year's call, set the dates the copy leaves blank, save: the new call has the
    old one's terms (money, rule, blind, tranches, required documents, criteria with guidance)."""
    source = future_call(programme, staff)
    Call.objects.filter(pk=source.pk).update(
        required_documents=[{"code": "proposal", "name": "申报书"}, {"code": "licence", "name": "营业执照"}]
    )
    client = client_for(staff)
    page = client.get(reverse("call-copy", args=[source.pk]), HTTP_ACCEPT_LANGUAGE=language)
    data = form_data(page.content.decode(), reverse("call-create"))
    assert data["opens_at"] == data["closes_at"] == ""
    data["opens_at"] = _minutes(400).strftime("%Y-%m-%dT%H:%M")
    data["closes_at"] = _minutes(430).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("call-create"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.context and response.context["form"].errors
    copy = Call.objects.exclude(pk=source.pk).get()
    differ = {"id", "title", "year", "opens_at", "closes_at", "created_at"}
    old, new = snapshot(source), snapshot(copy)
    assert {k: v for k, v in new.items() if k not in differ} == {k: v for k, v in old.items() if k not in differ}
    assert (copy.year, copy.title) == (2028, "2028年度第一批科技计划项目")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_copied_award_round_saved_with_new_dates_keeps_its_levels_and_terms(staff: Any, language: str):
    source = future_round(staff)
    client = client_for(staff)
    page = client.get(reverse("award-round-copy", args=[source.pk]), HTTP_ACCEPT_LANGUAGE=language)
    data = form_data(page.content.decode(), reverse("award-round-create"))
    data["opens_at"] = _minutes(400).strftime("%Y-%m-%dT%H:%M")
    data["closes_at"] = _minutes(430).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("award-round-create"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.context and response.context["form"].errors
    copy = Call.objects.exclude(pk=source.pk).get()
    differ = {"id", "title", "year", "opens_at", "closes_at"}
    old, new = snapshot(source), snapshot(copy)
    assert {k: v for k, v in new.items() if k not in differ} == {k: v for k, v in old.items() if k not in differ}
    assert new["levels"] == old["levels"] != []

"""The home page: what waits for each role, filtered, paginated and exported (pages/dashboards.py);
and page forms that keep what the user typed when a step refuses it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from applications.services import application_create
from funding.models import Disbursement
from reviews.models import Assignment
from tests.conftest import close_notice, contract_in_force
from tests.drafts import DRAFT
from workflow import steps

pytestmark = pytest.mark.django_db

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}


def draft(call: Any, applicant: Any, title: str = "高效节能阀门研发", **fields: Any) -> Application:
    return application_create(actor=applicant, call=call, **{**DRAFT, "title": title, **fields})


def submitted(call: Any, applicant: Any, title: str = "高效节能阀门研发") -> Application:
    return steps.application_submit(application=draft(call, applicant, title), actor=applicant)


def in_review(
    call: Any, applicant: Any, staff: Any, experts: list[Any], title: str = "高效节能阀门研发"
) -> Application:
    application = submitted(call, applicant, title)
    steps.formal_review(application=application, actor=staff, decision="accept")
    for e in experts:
        steps.assignment_add(application=application, expert=e, actor=staff)
    steps.expert_review_start(application=application, actor=staff)
    application.refresh_from_db()
    return application


def reviewed(call: Any, applicant: Any, staff: Any, experts: list[Any]) -> Application:
    application = in_review(call, applicant, staff, experts)
    for e in experts:
        assignment = Assignment.objects.get(application=application, expert=e)
        steps.assignment_accept(assignment=assignment, actor=e.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=e.user, scores=SCORES, comment="可行", recommendation="support"
        )
    application.refresh_from_db()
    return application


def client_for(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def page(user: Any, query: str = "") -> Any:
    response = client_for(user).get("/" + query)
    assert response.status_code == 200
    return response


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def second_call(call: Call) -> Call:
    return Call.objects.create(
        programme=call.programme,
        title="2016年度第二批科技计划项目",
        year=2016,
        batch=2,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        budget_yuan=Decimal("800000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=2,
        min_reviews=1,
        tranches=[60, 40],
    )


# --- applicant --------------------------------------------------------------------------------------


def test_applicant_home_lists_own_applications_with_their_next_step(call, applicant, other_applicant):
    draft(call, applicant, "草稿项目")
    submitted(call, applicant, "已提交项目")
    draft(call, other_applicant, "别人的项目")

    html = page(applicant).content.decode()

    assert "草稿项目" in html and "Complete and submit it" in html
    assert "已提交项目" in html and "Wait for formal review" in html
    assert "别人的项目" not in html
    assert reverse("application-create", args=[call.pk]) in html  # the open call to apply to
    assert 'name="mine-q"' not in html and "?export=mine" in html  # a short list: no filter bar


def test_applicant_list_filters_by_status_call_and_text(call, second_call, applicant):
    draft(call, applicant, "阀门草稿")
    submitted(call, applicant, "阀门已提交")
    draft(second_call, applicant, "水稻育种")

    def titles(query: str) -> set[str]:
        return {a.title for a, _next, _act in page(applicant, query).context["applicant"]["mine_rows"]}

    assert titles("") == {"阀门草稿", "阀门已提交", "水稻育种"}
    assert titles("?mine-status=submitted") == {"阀门已提交"}
    assert titles("?mine-q=阀门") == {"阀门草稿", "阀门已提交"}
    assert titles(f"?mine-call={second_call.pk}") == {"水稻育种"}
    assert titles(f"?mine-call={call.pk}&mine-status=draft&mine-q=阀门") == {"阀门草稿"}


def test_bad_filter_values_are_ignored_not_an_error(call, applicant):
    draft(call, applicant, "阀门草稿")
    response = page(applicant, "?mine-status=nonsense&mine-call=abc&mine-page=999&reviews-page=x")
    assert [a.title for a, _n, _act in response.context["applicant"]["mine_rows"]] == ["阀门草稿"]


def test_long_list_is_paginated_and_the_pages_keep_the_filters(call, applicant):
    for i in range(25):
        draft(call, applicant, f"阀门项目 {i:02d}")
    draft(call, applicant, "别的项目")

    first = page(applicant, "?mine-q=阀门")
    section = first.context["applicant"]["mine"]
    assert len(first.context["applicant"]["mine_rows"]) == 20
    assert (section.page.number, section.page.paginator.num_pages, section.page.paginator.count) == (1, 2, 25)
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'name="mine-q" value="阀门"' in html  # the filter bar, with the search kept
    assert "?mine-q=%E9%98%80%E9%97%A8&amp;mine-page=2" in html  # the next page keeps the search

    second = page(applicant, "?mine-q=阀门&mine-page=2")
    rows = second.context["applicant"]["mine_rows"]
    assert len(rows) == 5
    assert all(a.title.startswith("阀门项目") for a, _n, _act in rows)


def test_export_gives_every_filtered_row_not_one_page(call, applicant):
    for i in range(23):
        draft(call, applicant, f"阀门项目 {i:02d}")
    draft(call, applicant, '=HYPERLINK("http://evil.example")')
    draft(call, applicant, "别的项目")

    rows = xlsx_rows(client_for(applicant).get("/?export=mine&mine-q=阀门&mine-page=2"))
    assert rows[0][:4] == ("Title", "Call", "Status", "Next step")
    assert len(rows) == 1 + 23
    assert {r[0] for r in rows[1:]} == {f"阀门项目 {i:02d}" for i in range(23)}
    assert rows[1][2:5] == ("Draft", "Complete and submit it", 300000)

    # A title that looks like a formula stays text in the sheet.
    sheet = load_workbook(BytesIO(client_for(applicant).get("/?export=mine&mine-q=HYPERLINK").content)).active
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example")'
    assert sheet["A2"].data_type == "s"


def test_export_of_a_list_the_caller_does_not_have_is_not_found(applicant, panel):
    assert client_for(applicant).get("/?export=payments").status_code == 404
    assert client_for(applicant).get("/?export=nonsense").status_code == 404
    assert client_for(panel).get("/?export=mine").status_code == 404


# --- expert ---------------------------------------------------------------------------------------


def test_expert_home_shows_pending_reviews_with_due_dates_and_hides_finished_ones(
    call, applicant, staff, expert, expert2
):
    application = in_review(call, applicant, staff, [expert, expert2])
    mine = Assignment.objects.get(application=application, expert=expert)

    html = page(expert.user).content.decode()
    assert reverse("review-detail", args=[mine.pk]) in html
    assert timezone.localtime(mine.due_at).strftime("%Y-%m-%d") in html
    other = Assignment.objects.get(application=application, expert=expert2)
    assert reverse("review-detail", args=[other.pk]) not in html  # never someone else's slot

    steps.assignment_accept(assignment=mine, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=mine, actor=expert.user, scores=SCORES, comment="可行", recommendation="support")

    waiting = page(expert.user).context["expert"]["reviews"].page.object_list
    assert list(waiting) == []
    everything = page(expert.user, "?reviews-status=all").context["expert"]["reviews"].page.object_list
    assert [a.pk for a in everything] == [mine.pk]


def test_expert_home_marks_an_overdue_review(call, applicant, staff, expert):
    application = in_review(call, applicant, staff, [expert])
    Assignment.objects.filter(application=application).update(due_at=timezone.now() - dt.timedelta(days=2))
    html = page(expert.user).content.decode()
    assert 'class="overdue"' in html and "(overdue)" in html


# --- staff ----------------------------------------------------------------------------------------


def test_staff_home_shows_what_waits_call_progress_and_overdue_reviews(call, applicant, staff, expert):
    waiting = submitted(call, applicant, "待形式审查")
    reviewing = in_review(call, applicant, staff, [expert], "评审中项目")
    draft(call, applicant, "草稿不给局里看")
    Assignment.objects.filter(application=reviewing).update(due_at=timezone.now() - dt.timedelta(days=3))

    response = page(staff)
    d = response.context["staff"]
    assert [a.pk for a in d["work"].page] == [waiting.pk]  # by default: what waits for the bureau
    assert [a.title for a in page(staff, "?work-status=all").context["staff"]["work"].page] == [
        "待形式审查",
        "评审中项目",
    ]
    progress = {c.pk: c for c in d["progress"].page}[call.pk]
    assert (progress.n_total, progress.n_submitted, progress.n_in_review, progress.n_decided) == (2, 1, 1, 0)
    overdue = list(d["overdue"].page)
    assert [(a.application_id, a.expert_id) for a in overdue] == [(reviewing.pk, expert.pk)]
    html = response.content.decode()
    assert "草稿不给局里看" not in html
    assert expert.name in html and "late" in html


def test_staff_export_of_overdue_reviews(call, applicant, staff, expert):
    reviewing = in_review(call, applicant, staff, [expert], "评审中项目")
    Assignment.objects.filter(application=reviewing).update(due_at=timezone.now() - dt.timedelta(days=3))
    rows = xlsx_rows(client_for(staff).get("/?export=overdue"))
    assert rows[0] == ("Item", "Call", "Expert", "Status", "Due")
    assert rows[1][:4] == ("评审中项目", call.title, expert.name, "Invited")


# --- panel ----------------------------------------------------------------------------------------


def test_panel_home_lists_reviewed_items_with_their_mean_score(call, applicant, staff, panel, expert, expert2):
    application = reviewed(call, applicant, staff, [expert, expert2])
    submitted(call, applicant, "还在形式审查")

    response = page(panel)
    rows = list(response.context["panel"]["decide"].page)
    assert [a.pk for a in rows] == [application.pk]
    assert "82.50" in response.content.decode()
    assert expert.name not in response.content.decode()  # the panel sees scores, not reviewers


# --- finance --------------------------------------------------------------------------------------


@pytest.fixture
def first_payment(call, applicant, staff, panel, expert) -> Disbursement:
    application = reviewed(call, applicant, staff, [expert])
    steps.decide(application=application, actor=panel, fund=True, approved_yuan=Decimal("250000.00"))
    notice = steps.notice_publish(call=call, actor=staff)
    close_notice(notice, staff)
    application.refresh_from_db()
    contract_in_force(application, applicant, staff)
    return Disbursement.objects.get(application=application, tranche=1)


def test_finance_home_marks_what_waits_for_this_person_and_charts_the_budget(
    call, first_payment, finance_officer, finance_head
):
    officer = page(finance_officer)
    [(payment, waiting_for, mine)] = officer.context["finance"]["payment_rows"]
    assert (payment.pk, str(waiting_for), mine) == (first_payment.pk, "Finance officer's approval", True)
    [(_p, _w, head_mine)] = page(finance_head).context["finance"]["payment_rows"]
    assert head_mine is False  # the head acts after the officer

    budget = {c.pk: c for c in officer.context["finance"]["budget"]}[call.pk]
    assert (budget.budget_yuan, budget.granted_yuan, budget.paid_yuan) == (
        Decimal("1000000.00"),
        Decimal("250000.00"),
        Decimal("0.00"),
    )
    html = officer.content.decode()
    assert "<svg" in html and ">0.0 %</text>" in html

    steps.disbursement_approve(disbursement=first_payment, actor=finance_officer)
    steps.disbursement_approve(disbursement=first_payment, actor=finance_head)
    steps.disbursement_pay(disbursement=first_payment, actor=finance_officer, voucher="PZ-1")
    after = page(finance_officer)
    assert {c.pk: c for c in after.context["finance"]["budget"]}[call.pk].paid_yuan == Decimal("150000.00")
    assert ">15.0 %</text>" in after.content.decode()  # 150,000 paid of a 1,000,000 budget
    assert after.context["finance"]["payment_rows"] == []


def test_finance_home_lists_first_what_waits_for_this_person(
    first_payment, call, applicant, staff, panel, expert2, finance_officer, finance_head
):
    """The head sees the payment the officer approved before the one still waiting for the officer."""
    steps.disbursement_approve(disbursement=first_payment, actor=finance_officer)
    second = reviewed(call, applicant, staff, [expert2])
    steps.decide(application=second, actor=panel, fund=True, approved_yuan=Decimal("100000.00"))
    steps.notice_publish(call=call, actor=staff)
    for notice in call.notices.filter(closed_at__isnull=True):
        close_notice(notice, staff)
    second.refresh_from_db()
    contract_in_force(second, applicant, staff)
    waiting = Disbursement.objects.get(application=second, tranche=1)
    assert waiting.requested_at > first_payment.requested_at

    head_rows = page(finance_head).context["finance"]["payment_rows"]
    assert [(d.pk, mine) for d, _w, mine in head_rows] == [(first_payment.pk, True), (waiting.pk, False)]
    officer_rows = page(finance_officer).context["finance"]["payment_rows"]
    assert [(d.pk, mine) for d, _w, mine in officer_rows] == [(waiting.pk, True), (first_payment.pk, False)]


def test_finance_payments_filter_by_step(first_payment, finance_officer, finance_head):
    assert page(finance_officer, "?payments-status=officer_approved").context["finance"]["payment_rows"] == []
    steps.disbursement_approve(disbursement=first_payment, actor=finance_officer)
    [(payment, _w, mine)] = page(finance_head, "?payments-status=officer_approved").context["finance"]["payment_rows"]
    assert (payment.pk, mine) == (first_payment.pk, True)


# --- refused forms keep what was typed -----------------------------------------------------------


def test_refused_funding_decision_keeps_the_amount_and_comment(call, applicant, staff, panel, expert):
    application = reviewed(call, applicant, staff, [expert])
    response = client_for(panel).post(
        reverse("decide", args=[application.pk]),
        {"fund": "yes", "approved_yuan": "400000.00", "comment": "建议全额资助并追加"},
    )
    assert response.status_code == 200  # shown again, not redirected
    form = response.context["forms"]["decision"]
    assert form.errors
    html = response.content.decode()
    assert 'value="400000.00"' in html and "建议全额资助并追加" in html
    assert form["fund"].value() == "yes"
    assert re.search(r'<input type="radio" name="fund" value="yes"[^>]* checked', html)
    application.refresh_from_db()
    assert application.status == S.REVIEWED


def test_refused_return_without_a_comment_keeps_the_chosen_decision(call, applicant, staff):
    application = submitted(call, applicant)
    response = client_for(staff).post(reverse("formal-review", args=[application.pk]), {"decision": "return"})
    assert response.status_code == 200
    form = response.context["forms"]["formal_review"]
    assert "comment" in form.errors
    assert form["decision"].value() == "return"
    assert re.search(r'<input type="radio" name="decision" value="return"[^>]* checked', response.content.decode())
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_refused_draft_edit_keeps_every_field(call, applicant):
    application = draft(call, applicant)
    typed = {
        "title": "改过的标题",
        "field": "agriculture",
        "summary": "改过的摘要",
        "requested_yuan": "300000.00",
        "self_funding_yuan": "100000.00",
        "start_date": "2017-01-01",
        "end_date": "2016-01-01",  # before the start: the service refuses it
    }
    response = client_for(applicant).post(reverse("application-edit", args=[application.pk]), typed)
    assert response.status_code == 200
    html = response.content.decode()
    for value in typed.values():
        assert value in html
    application.refresh_from_db()
    assert application.title == "高效节能阀门研发"


def test_filtering_one_list_keeps_the_other_lists_filters(call, applicant, staff):
    submitted(call, applicant, "待形式审查")
    html = page(staff, "?calls-q=2016&calls-page=1&work-status=all").content.decode()
    # The work list's form carries the call list's search along, and not its own old values.
    work_form = html[html.index('aria-label="Filter: Applications"') :]
    work_form = work_form[: work_form.index("</form>")]
    assert '<input type="hidden" name="calls-q" value="2016">' in work_form
    assert 'type="hidden" name="work-status"' not in work_form  # its own filters are the visible fields
    assert '<option value="all" selected>' in work_form


def test_decision_over_the_budget_is_refused_with_the_typed_amount_kept(call, applicant, staff, panel, expert):
    """Not a lost race (nobody else moved the item): the form comes back with the amount and comment."""
    application = reviewed(call, applicant, staff, [expert])
    Call.objects.filter(pk=call.pk).update(budget_yuan=Decimal("200000.00"))
    response = client_for(panel).post(
        reverse("decide", args=[application.pk]),
        {"fund": "yes", "approved_yuan": "250000.00", "comment": "重点支持"},
    )
    assert response.status_code == 200
    form = response.context["forms"]["decision"]
    assert any("200000" in e.replace(",", "") for e in form.non_field_errors())
    html = response.content.decode()
    assert 'value="250000.00"' in html and "重点支持" in html
    application.refresh_from_db()
    assert application.status == S.REVIEWED


def test_a_decision_someone_else_already_took_redirects_with_a_message(call, applicant, staff, panel, expert):
    """A lost race is a message and the current page, not a form for a step that has gone."""
    application = reviewed(call, applicant, staff, [expert])
    first, second = client_for(panel), client_for(panel)
    url = reverse("decide", args=[application.pk])
    assert first.post(url, {"fund": "no", "comment": ""}).status_code == 302
    response = second.post(url, {"fund": "yes", "approved_yuan": "100000.00", "comment": ""}, follow=True)
    assert response.redirect_chain == [(reverse("application-detail", args=[application.pk]), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    application.refresh_from_db()
    assert application.status == S.NOT_FUNDED


def test_staff_list_filters_by_field_and_year_and_exports_the_same(call, applicant, staff):
    submitted(call, applicant, "阀门项目")
    farm = submitted(call, applicant, "茶叶项目")
    Application.objects.filter(pk=farm.pk).update(field="agriculture")

    chosen = page(staff, "?work-field=agriculture").context["staff"]["work"]
    assert [a.title for a in chosen.page] == ["茶叶项目"] and chosen.is_filtered
    assert [a.title for a in page(staff, f"?work-year={call.year + 1}").context["staff"]["work"].page] == []
    rows = xlsx_rows(client_for(staff).get("/?work-field=agriculture&export=work"))
    assert [r[0] for r in rows[1:]] == ["茶叶项目"]
    # An unknown choice is shown as an error and ignored, never a 500.
    html = page(staff, "?work-field=nonsense").content.decode()
    assert "阀门项目" in html and "茶叶项目" in html

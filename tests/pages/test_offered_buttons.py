"""Issue 15.6, table-driven: which buttons a person sees, per role and state, follows the same
rules the services check (funding/rules.py, awards/rules.py); irreversible actions ask first."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from funding.enums import DisbursementStatus as D
from tests.conftest import notice_window_passed
from workflow import steps

from .test_dashboards import client_for, first_payment, reviewed  # noqa: F401 - the payment fixture

pytestmark = pytest.mark.django_db


def _buttons(user: Any, payment: Any) -> set[str]:
    html = client_for(user).get("/finance/").content.decode()
    return {name for name in ("approve", "reject", "pay") if reverse(f"disbursement-{name}", args=[payment.pk]) in html}


#: state of the payment → (finance officer's buttons, finance head's buttons)
FINANCE_TABLE = {
    D.REQUESTED: ({"approve", "reject"}, {"reject"}),
    D.OFFICER_APPROVED: ({"reject"}, {"approve", "reject"}),
    D.APPROVED: ({"pay"}, {"pay"}),
}


@pytest.mark.parametrize("state", list(FINANCE_TABLE))
def test_finance_page_offers_each_person_only_their_step(state, first_payment, finance_officer, finance_head):  # noqa: F811
    if state in (D.OFFICER_APPROVED, D.APPROVED):
        steps.disbursement_approve(disbursement=first_payment, actor=finance_officer)
    if state == D.APPROVED:
        steps.disbursement_approve(disbursement=first_payment, actor=finance_head)
    first_payment.refresh_from_db()
    assert first_payment.status == state
    officer, head = FINANCE_TABLE[state]
    assert _buttons(finance_officer, first_payment) == officer
    assert _buttons(finance_head, first_payment) == head


def test_the_officer_who_approved_is_not_offered_the_second_approval(first_payment, finance_officer):  # noqa: F811
    from django.contrib.auth.models import Group

    from accounts.enums import Role

    # Nobody is given both finance roles any more (issue 14.1); someone who held both before the
    # guard existed is still not offered a second approval. The row is written past the guard.
    type(finance_officer).groups.through.objects.create(
        user=finance_officer, group=Group.objects.get_or_create(name=Role.FINANCE_HEAD)[0]
    )
    finance_officer = type(finance_officer).objects.get(pk=finance_officer.pk)
    steps.disbursement_approve(disbursement=first_payment, actor=finance_officer)
    assert "approve" not in _buttons(finance_officer, first_payment)


def test_call_page_says_why_no_notice_can_be_published(call, staff):
    html = client_for(staff).get(f"/calls/{call.pk}/").content.decode()
    assert reverse("notice-publish", args=[call.pk]) not in html
    assert "Nothing to publish now: There are no decided applications to publish." in html


def test_notice_with_an_open_objection_offers_no_close_button_and_says_why(call, applicant, staff, panel, expert):
    from funding.services import objection_file

    application = reviewed(call, applicant, staff, [expert])
    steps.decide(application=application, actor=panel, fund=True, approved_yuan="250000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    html = client_for(staff).get(f"/calls/{call.pk}/").content.decode()
    # While the window runs the notice cannot be closed (issue 14.5), and no second one published.
    assert reverse("notice-close", args=[notice.pk]) not in html
    assert "cannot be closed before" in html
    assert "A notice for this call is still open" in html
    objection_file(notice=notice, application_id=application.pk, text="数据不实", name="张三", contact="138")
    notice_window_passed(notice)
    html = client_for(staff).get(f"/calls/{call.pk}/").content.decode()
    assert reverse("notice-close", args=[notice.pk]) not in html
    assert "Resolve every objection before closing the notice." in html


def test_irreversible_actions_ask_for_confirmation_naming_the_consequence(call, applicant, staff):
    from .test_dashboards import draft, submitted

    mine = draft(call, applicant)
    html = client_for(applicant).get(f"/applications/{mine.pk}/").content.decode()
    assert 'data-confirm="Submit the application to the bureau? You cannot change it again' in html
    theirs = submitted(call, applicant, "另一项目")
    html = client_for(staff).get(f"/applications/{theirs.pk}/").content.decode()
    assert 'data-confirm="Terminate this application? Its process ends at once' in html
    assert 'data-confirm-if="decision=reject"' in html
    assert "/static/js/confirm.js" in html


def test_start_review_is_offered_only_once_an_expert_is_invited(call, applicant, staff, expert):
    from .test_dashboards import submitted

    application = submitted(call, applicant)
    steps.formal_review(application=application, actor=staff, decision="accept")
    start = reverse("start-review", args=[application.pk])
    # No expert yet: the server would answer 409 ("Assign at least one expert first"), so the
    # page offers the ways to get one instead (found by the year walk, tests/browser/test_year_walk.py).
    html = client_for(staff).get(f"/applications/{application.pk}/").content.decode()
    assert start not in html
    assert "draw experts for the call, before the expert review can start" in html
    steps.assignment_add(application=application, expert=expert, actor=staff)
    html = client_for(staff).get(f"/applications/{application.pk}/").content.decode()
    assert start in html


def test_a_draft_whose_call_closed_is_not_offered_submit_and_says_why(call, applicant, programme, nominator, staff):
    from django.utils import timezone

    from applications.models import Call
    from awards.services import nomination_create

    from .test_dashboards import draft
    from .test_form_roundtrip import future_round

    application = draft(call, applicant)
    award_round = future_round(staff, days=-1)
    nomination = nomination_create(
        actor=nominator,
        award_round=award_round,
        title="瓯江水质监测",
        summary="监测网络。",
        field="manufacturing",
        units=["浙江理工大学"],
        persons=[{"name": "李红"}],
    )
    # Both close while the items are still drafts: the server refuses to submit them (409).
    Call.objects.filter(pk__in=[call.pk, award_round.pk]).update(closes_at=timezone.now())
    for user, item, submit, page in [
        (applicant, application, "application-submit", "application-detail"),
        (nominator, nomination, "award-nomination-submit", "award-nomination"),
    ]:
        html = client_for(user).get(reverse(page, args=[item.pk])).content.decode()
        assert reverse(submit, args=[item.pk]) not in html
        assert "The call is closed; submissions are no longer accepted." in html
    home = client_for(applicant).get("/").content.decode()
    assert "Complete and submit it" not in home and "The call closed before it was submitted" in home


def test_the_invite_list_offers_only_experts_the_server_would_accept(call, applicant, staff, expert, conflicted_expert):
    from .test_dashboards import submitted

    application = submitted(call, applicant)
    steps.formal_review(application=application, actor=staff, decision="accept")
    page = f"/applications/{application.pk}/"
    html = client_for(staff).get(page).content.decode()
    # The expert of the applicant's own organisation would be refused (回避): not in the list.
    assert f'<option value="{expert.pk}">' in html
    assert f'<option value="{conflicted_expert.pk}">' not in html
    # Sent anyway, the refusal still names the reason on the field.
    response = client_for(staff).post(reverse("assign-expert", args=[application.pk]), {"expert": conflicted_expert.pk})
    assert "This expert has a conflict of interest with the applicant." in response.content.decode()
    steps.assignment_add(application=application, expert=expert, actor=staff)
    html = client_for(staff).get(page).content.decode()
    assert reverse("assign-expert", args=[application.pk]) not in html
    assert "No expert in the pool may review this item now" in html


def test_the_draw_is_offered_only_while_an_item_waits_for_experts(call, applicant, staff, expert):
    from .test_dashboards import submitted

    draw = reverse("call-draw", args=[call.pk])
    html = client_for(staff).get(f"/calls/{call.pk}/").content.decode()
    assert draw not in html and "nothing to draw now" in html
    application = submitted(call, applicant)
    steps.formal_review(application=application, actor=staff, decision="accept")
    assert draw in client_for(staff).get(f"/calls/{call.pk}/").content.decode()
